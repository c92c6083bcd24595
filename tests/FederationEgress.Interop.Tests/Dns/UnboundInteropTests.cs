using FederationEgress.Dns;

namespace FederationEgress.Interop.Tests.Dns;

public sealed class UnboundInteropTests(UnboundFixture fixture) : RealDnsInteropTests(fixture), IClassFixture<UnboundFixture>
{
    [Fact]
    public async Task Resolver_NameError_CachedForSoaMinimum()
    {
        var (resolver, time) = Resolver();
        using var _ = resolver;

        var result = await resolver.ResolveAddressesAsync(InteropZone.Missing, Token);

        Assert.Equal(DnsResultStatus.NameError, result.Status);
        Assert.Equal(time.GetUtcNow().AddSeconds(120), result.ExpiresAt);
    }
}
