namespace FederationEgress.Tests.Dns.Caching;

/// <summary>The cache-hit path allocates nothing (the benchmark measures its speed; this pins the allocations).</summary>
public sealed class CachingDnsResolverAllocationTests
{
    private const int Hits = 1000;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ResolveAddressesAndSrv_CacheHits_AllocateNothing()
    {
        await using var h = new ResolverHarness();
        h.Server.AddA("alloc.test", "127.0.0.1").AddAaaa("alloc.test", "::1").AddSrv("_matrix-fed._tcp.alloc.test", "alloc.test", 8448);
        await h.Resolver.ResolveAddressesAsync("alloc.test", Token);
        await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.alloc.test", Token);
        var (addresses, srv) = Hit(h);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Hits; i++)
        {
            (addresses, srv) = Hit(h);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(2, addresses);
        Assert.Equal(1, srv);
    }

    [Fact]
    public async Task ResolveAddressesAsync_UpperCaseNameHit_AllocatesNothing()
    {
        await using var h = new ResolverHarness();
        h.Server.AddA("alloc.test", "127.0.0.1");
        await h.Resolver.ResolveAddressesAsync("alloc.test", Token);
        HitUpper(h);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Hits; i++)
        {
            HitUpper(h);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static (int Addresses, int Srv) Hit(ResolverHarness h)
    {
        var addresses = h.Resolver.ResolveAddressesAsync("alloc.test", CancellationToken.None);
        var srv = h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.alloc.test", CancellationToken.None);
        if (!addresses.IsCompletedSuccessfully || !srv.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("cache miss");
        }

        return (addresses.GetAwaiter().GetResult().Records.Count, srv.GetAwaiter().GetResult().Records.Count);
    }

    private static void HitUpper(ResolverHarness h)
    {
        var result = h.Resolver.ResolveAddressesAsync("ALLOC.Test.", CancellationToken.None);
        if (!result.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("cache miss");
        }
    }
}
