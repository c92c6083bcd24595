using System.Net;
using FederationEgress.Dns;
using FederationEgress.Dns.Caching;
using FederationEgress.Dns.Protocol;
using FederationEgress.Testing.Dns;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Tests.Dns.Caching;

public sealed class CachingDnsResolverTests
{
    private const int ServingStaleEventId = 1020;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ResolveAddressesAsync_BothFamilies_InterleavedIPv6First()
    {
        await using var h = new ResolverHarness();
        h.Server.AddAaaa("host.test", "::1").AddAaaa("host.test", "::2")
            .AddA("host.test", "127.0.0.1").AddA("host.test", "127.0.0.2").AddA("host.test", "127.0.0.3");

        var result = await h.Resolver.ResolveAddressesAsync("host.test", Token);

        Assert.Equal(DnsResultStatus.Success, result.Status);
        Assert.Equal(["::1", "127.0.0.1", "::2", "127.0.0.2", "127.0.0.3"], result.Records.Select(a => a.ToString()));
        Assert.False(result.IsStale);
    }

    [Fact]
    public async Task ResolveAddressesAsync_DuplicateRecords_Deduplicated()
    {
        await using var h = new ResolverHarness();
        h.Server.AddA("host.test", "127.0.0.1").AddA("host.test", "127.0.0.1").AddA("host.test", "127.0.0.2");

        var result = await h.Resolver.ResolveAddressesAsync("host.test", Token);

        Assert.Equal(["127.0.0.1", "127.0.0.2"], result.Records.Select(a => a.ToString()));
    }

    [Fact]
    public async Task ResolveAddressesAsync_OnlyIPv4_SuccessWithIPv4()
    {
        await using var h = new ResolverHarness();
        h.Server.AddA("host.test", "127.0.0.1");

        var result = await h.Resolver.ResolveAddressesAsync("host.test", Token);

        Assert.Equal(DnsResultStatus.Success, result.Status);
        Assert.Equal([IPAddress.Parse("127.0.0.1")], result.Records);
        Assert.Equal(1, h.Server.QueryCount("host.test", DnsRecordType.AAAA));
    }

    [Fact]
    public async Task ResolveAddressesAsync_CachedAnswer_NoQueryAndCompletesSynchronously()
    {
        await using var h = new ResolverHarness();
        h.Server.AddA("host.test", "127.0.0.1").AddAaaa("host.test", "::1");
        var first = await h.Resolver.ResolveAddressesAsync("host.test", Token);

        var second = h.Resolver.ResolveAddressesAsync("HOST.test.", Token);

        Assert.True(second.IsCompletedSuccessfully);
        Assert.Same(first, await second);
        Assert.Equal(1, h.Server.QueryCount("host.test", DnsRecordType.A));
        Assert.Equal(1, h.Server.QueryCount("host.test", DnsRecordType.AAAA));
    }

    [Fact]
    public async Task ResolveSrvAsync_CachedAnswer_CompletesSynchronously()
    {
        await using var h = new ResolverHarness();
        h.Server.AddSrv("_matrix-fed._tcp.host.test", "target.test", 8448);
        await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);

        var again = h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);

        Assert.True(again.IsCompletedSuccessfully);
        Assert.Equal(1, h.Server.QueryCount("_matrix-fed._tcp.host.test"));
    }

    [Fact]
    public async Task ResolveAddressesAsync_TtlElapsed_QueriesAgain()
    {
        await using var h = new ResolverHarness();
        h.Server.AddA("host.test", "127.0.0.1", ttl: 60).AddAaaa("host.test", "::1", ttl: 60);
        var first = await h.Resolver.ResolveAddressesAsync("host.test", Token);
        Assert.Equal(h.Now.AddSeconds(60), first.ExpiresAt);

        h.Advance(59);
        await h.Resolver.ResolveAddressesAsync("host.test", Token);
        Assert.Equal(1, h.Server.QueryCount("host.test", DnsRecordType.A));

        h.Advance(2);
        h.Server.RemoveRecords("host.test", DnsRecordType.A).AddA("host.test", "127.0.0.2", ttl: 60);
        var refreshed = await h.Resolver.ResolveAddressesAsync("host.test", Token);

        Assert.Equal(2, h.Server.QueryCount("host.test", DnsRecordType.A));
        Assert.Contains(IPAddress.Parse("127.0.0.2"), refreshed.Records);
    }

    [Fact]
    public async Task ResolveAddressesAsync_FamiliesWithDifferentTtls_OnlyExpiredFamilyRequeried()
    {
        await using var h = new ResolverHarness();
        h.Server.AddA("host.test", "127.0.0.1", ttl: 60).AddAaaa("host.test", "::1", ttl: 600);
        var first = await h.Resolver.ResolveAddressesAsync("host.test", Token);
        Assert.Equal(h.Now.AddSeconds(60), first.ExpiresAt);

        h.Advance(61);
        await h.Resolver.ResolveAddressesAsync("host.test", Token);

        Assert.Equal(2, h.Server.QueryCount("host.test", DnsRecordType.A));
        Assert.Equal(1, h.Server.QueryCount("host.test", DnsRecordType.AAAA));
    }

    [Theory]
    [InlineData(5u, 30)]
    [InlineData(45u, 45)]
    [InlineData(1_000_000u, 86_400)]
    public async Task ResolveSrvAsync_Ttl_ClampedToFloorAndCeiling(uint ttl, int cachedSeconds)
    {
        await using var h = new ResolverHarness();
        h.Server.AddSrv("_matrix-fed._tcp.host.test", "target.test", 8448, ttl: ttl);

        var result = await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);
        Assert.Equal(h.Now.AddSeconds(cachedSeconds), result.ExpiresAt);

        h.Advance(cachedSeconds - 1);
        await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);
        Assert.Equal(1, h.Server.QueryCount("_matrix-fed._tcp.host.test"));

        h.Advance(1);
        await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);
        Assert.Equal(2, h.Server.QueryCount("_matrix-fed._tcp.host.test"));
    }

    [Fact]
    public async Task ResolveSrvAsync_ConfiguredFloor_Used()
    {
        await using var h = new ResolverHarness(o => o.MinTtlSeconds = 0);
        h.Server.AddSrv("_matrix-fed._tcp.host.test", "target.test", 8448, ttl: 5);

        var result = await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);

        Assert.Equal(h.Now.AddSeconds(5), result.ExpiresAt);
    }

    [Theory]
    [InlineData(120u, 900u, 120)]
    [InlineData(600u, 50u, 50)]
    [InlineData(5u, 300u, 30)]
    [InlineData(100_000u, 100_000u, 3600)]
    public async Task ResolveSrvAsync_NameErrorWithSoa_CachedForSoaMinimumClamped(uint minimum, uint soaTtl, int cachedSeconds)
    {
        await using var h = new ResolverHarness();
        h.Server.SetSoa("test", minimum, soaTtl);

        var result = await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.missing.test", Token);

        Assert.Equal(DnsResultStatus.NameError, result.Status);
        Assert.True(result.IsNoRecords);
        Assert.Empty(result.Records);
        Assert.Equal(h.Now.AddSeconds(cachedSeconds), result.ExpiresAt);

        h.Advance(cachedSeconds - 1);
        await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.missing.test", Token);
        Assert.Equal(1, h.Server.QueryCount("_matrix-fed._tcp.missing.test"));

        h.Advance(1);
        await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.missing.test", Token);
        Assert.Equal(2, h.Server.QueryCount("_matrix-fed._tcp.missing.test"));
    }

    [Fact]
    public async Task ResolveSrvAsync_NegativeAnswerWithoutSoa_CachedForNegativeFloor()
    {
        await using var h = new ResolverHarness(o => o.NegativeMinTtlSeconds = 45);

        var result = await h.Resolver.ResolveSrvAsync("_matrix._tcp.missing.test", Token);

        Assert.Equal(DnsResultStatus.NameError, result.Status);
        Assert.Equal(h.Now.AddSeconds(45), result.ExpiresAt);
    }

    [Fact]
    public async Task ResolveSrvAsync_NameWithOtherTypesOnly_NoData()
    {
        await using var h = new ResolverHarness();
        h.Server.AddA("_matrix-fed._tcp.host.test", "127.0.0.1").SetSoa("host.test", 60);

        var result = await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);

        Assert.Equal(DnsResultStatus.NoData, result.Status);
        Assert.Equal(h.Now.AddSeconds(60), result.ExpiresAt);
    }

    [Fact]
    public async Task ResolveSrvAsync_TargetsNormalized_TrailingDotStrippedAndDotKept()
    {
        await using var h = new ResolverHarness();
        h.Server.AddSrv("_matrix-fed._tcp.host.test", "target.test.", 8448, priority: 10, weight: 5)
            .AddSrv("_matrix-fed._tcp.host.test", ".", 0, priority: 0)
            .AddA("_matrix-fed._tcp.host.test", "127.0.0.1");

        var result = await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);

        Assert.Equal([new SrvRecord(10, 5, 8448, "target.test"), new SrvRecord(0, 0, 0, ".")], result.Records);
        Assert.True(result.Records[1].IsUnavailableMarker);
    }

    [Theory]
    [InlineData(nameof(DnsBehavior.ServerFailure))]
    [InlineData(nameof(DnsBehavior.Refused))]
    public async Task ResolveSrvAsync_ExpiredEntryAndServerError_ServedStale(string behavior)
    {
        await using var h = new ResolverHarness();
        h.Server.AddSrv("_matrix-fed._tcp.host.test", "target.test", 8448, ttl: 60);
        var fresh = await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);
        h.Advance(61);
        h.Server.SetBehavior("_matrix-fed._tcp.host.test", behavior == nameof(DnsBehavior.Refused) ? DnsBehavior.Refused : DnsBehavior.ServerFailure);

        var stale = await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);

        Assert.Equal(DnsResultStatus.Success, stale.Status);
        Assert.True(stale.IsStale);
        Assert.Equal(fresh.Records, stale.Records);
        Assert.Contains(behavior == nameof(DnsBehavior.Refused) ? "REFUSED" : "SERVFAIL", stale.Error, StringComparison.Ordinal);
        Assert.Equal(h.Now + CachingDnsResolver.FailureRecheckPeriod, stale.ExpiresAt);
        Assert.Contains(LogLevel.Warning, h.Levels(ServingStaleEventId));
    }

    [Fact]
    public async Task ResolveAddressesAsync_ExpiredEntryAndTimeout_ServedStale()
    {
        await using var h = new ResolverHarness();
        h.Server.AddA("host.test", "127.0.0.1", ttl: 60);
        await h.Resolver.ResolveAddressesAsync("host.test", Token);
        h.Advance(61);
        h.Server.SetBehavior("host.test", DnsBehavior.Drop);

        var pending = h.Resolver.ResolveAddressesAsync("host.test", Token).AsTask();
        await h.Server.WaitForQueriesAsync("host.test", 4, cancellationToken: Token);
        h.Time.Advance(ResolverHarness.QueryTimeout);
        var stale = await pending;

        Assert.Equal(DnsResultStatus.Success, stale.Status);
        Assert.True(stale.IsStale);
        Assert.Equal([IPAddress.Parse("127.0.0.1")], stale.Records);
    }

    [Fact]
    public async Task ResolveSrvAsync_AfterServingStale_NoQueryUntilRecheckPeriodThenRecovers()
    {
        await using var h = new ResolverHarness();
        h.Server.AddSrv("_matrix-fed._tcp.host.test", "old.test", 8448, ttl: 60);
        await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);
        h.Advance(61);
        h.Server.SetBehavior("_matrix-fed._tcp.host.test", DnsBehavior.ServerFailure);
        await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);

        h.Advance(29);
        var withinWindow = h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);
        Assert.True(withinWindow.IsCompletedSuccessfully);
        Assert.True((await withinWindow).IsStale);
        Assert.Equal(2, h.Server.QueryCount("_matrix-fed._tcp.host.test"));

        h.Advance(1);
        h.Server.ClearBehavior("_matrix-fed._tcp.host.test").RemoveRecords("_matrix-fed._tcp.host.test")
            .AddSrv("_matrix-fed._tcp.host.test", "new.test", 8448, ttl: 60);
        var recovered = await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);

        Assert.False(recovered.IsStale);
        Assert.Equal("new.test", Assert.Single(recovered.Records).Target);
        Assert.Equal(3, h.Server.QueryCount("_matrix-fed._tcp.host.test"));
    }

    [Fact]
    public async Task ResolveSrvAsync_StaleOlderThanMaxStale_FailureReturned()
    {
        await using var h = new ResolverHarness(o => o.MaxStaleSeconds = 3600);
        h.Server.AddSrv("_matrix-fed._tcp.host.test", "target.test", 8448, ttl: 60);
        await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);
        h.Server.SetBehavior("_matrix-fed._tcp.host.test", DnsBehavior.ServerFailure);

        h.Advance(60 + 3599);
        Assert.True((await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token)).IsStale);

        h.Advance(2);
        var result = await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);

        Assert.Equal(DnsResultStatus.ServerFailure, result.Status);
        Assert.True(result.IsFailure);
        Assert.False(result.IsStale);
        Assert.Empty(result.Records);
    }

    [Fact]
    public async Task ResolveSrvAsync_MaxStaleZero_FailureReturnedAtOnce()
    {
        await using var h = new ResolverHarness(o => o.MaxStaleSeconds = 0);
        h.Server.AddSrv("_matrix-fed._tcp.host.test", "target.test", 8448, ttl: 60);
        await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);
        h.Advance(61);
        h.Server.SetBehavior("_matrix-fed._tcp.host.test", DnsBehavior.ServerFailure);

        var result = await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);

        Assert.Equal(DnsResultStatus.ServerFailure, result.Status);
    }

    [Fact]
    public async Task ResolveSrvAsync_ServerFailureWithoutCache_FailureNotCached()
    {
        await using var h = new ResolverHarness();
        h.Server.SetBehavior("_matrix-fed._tcp.host.test", DnsBehavior.ServerFailure);

        var first = await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);
        var second = await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token);

        Assert.Equal(DnsResultStatus.ServerFailure, first.Status);
        Assert.Contains("SERVFAIL", first.Error, StringComparison.Ordinal);
        Assert.Equal(DnsResultStatus.ServerFailure, second.Status);
        Assert.Equal(2, h.Server.QueryCount("_matrix-fed._tcp.host.test"));
    }

    [Fact]
    public async Task ResolveSrvAsync_TimeoutWithoutCache_Timeout()
    {
        await using var h = new ResolverHarness();
        h.Server.SetBehavior("_matrix-fed._tcp.host.test", DnsBehavior.Drop);

        var pending = h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token).AsTask();
        await h.TimeOutQueryAsync("_matrix-fed._tcp.host.test", 1, Token);
        var result = await pending;

        Assert.Equal(DnsResultStatus.Timeout, result.Status);
        Assert.True(result.IsFailure);
    }

    [Fact]
    public async Task ResolveAddressesAsync_OneFamilyFailsOtherHasRecords_Success()
    {
        await using var h = new ResolverHarness();
        h.Server.AddA("host.test", "127.0.0.1").SetBehavior("host.test", DnsBehavior.ServerFailure, DnsRecordType.AAAA);

        var result = await h.Resolver.ResolveAddressesAsync("host.test", Token);

        Assert.Equal(DnsResultStatus.Success, result.Status);
        Assert.Equal([IPAddress.Parse("127.0.0.1")], result.Records);
    }

    [Fact]
    public async Task ResolveAddressesAsync_OneFamilyFailsOtherHasNoRecords_FailureReported()
    {
        await using var h = new ResolverHarness();
        h.Server.AddSrv("host.test", "x.test", 1).SetBehavior("host.test", DnsBehavior.ServerFailure, DnsRecordType.AAAA);

        var result = await h.Resolver.ResolveAddressesAsync("host.test", Token);

        Assert.Equal(DnsResultStatus.ServerFailure, result.Status);
        Assert.Contains("SERVFAIL", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAddressesAsync_NoSuchName_NameError()
    {
        await using var h = new ResolverHarness();

        var result = await h.Resolver.ResolveAddressesAsync("missing.test", Token);

        Assert.Equal(DnsResultStatus.NameError, result.Status);
    }

    [Fact]
    public async Task ResolveAddressesAsync_CnameWithTargetInAnswer_OneQueryPerTypeMinTtl()
    {
        await using var h = new ResolverHarness();
        h.Server.AddCname("alias.test", "real.test", ttl: 40).AddA("real.test", "127.0.0.9", ttl: 300).AddAaaa("real.test", "::9", ttl: 300);

        var result = await h.Resolver.ResolveAddressesAsync("alias.test", Token);

        Assert.Equal(["::9", "127.0.0.9"], result.Records.Select(a => a.ToString()));
        Assert.Equal(h.Now.AddSeconds(40), result.ExpiresAt);
        Assert.Equal(2, h.Server.QueryCount("alias.test"));
        Assert.Equal(0, h.Server.QueryCount("real.test"));
    }

    [Fact]
    public async Task ResolveSrvAsync_CnameWithoutTargetInAnswer_TargetQueried()
    {
        await using var h = new ResolverHarness();
        h.Server.ChaseCnames = false;
        h.Server.AddCname("_matrix-fed._tcp.alias.test", "_matrix-fed._tcp.real.test").AddSrv("_matrix-fed._tcp.real.test", "target.test", 443);

        var result = await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.alias.test", Token);

        Assert.Equal(new SrvRecord(10, 0, 443, "target.test"), Assert.Single(result.Records));
        Assert.Equal(1, h.Server.QueryCount("_matrix-fed._tcp.alias.test"));
        Assert.Equal(1, h.Server.QueryCount("_matrix-fed._tcp.real.test"));
    }

    [Fact]
    public async Task ResolveAddressesAsync_CnameToMissingName_NameError()
    {
        await using var h = new ResolverHarness();
        h.Server.AddCname("alias.test", "gone.test").SetSoa("test", 120);

        var result = await h.Resolver.ResolveAddressesAsync("alias.test", Token);

        Assert.Equal(DnsResultStatus.NameError, result.Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ResolveAddressesAsync_CnameLoop_ServerFailure(bool chase)
    {
        await using var h = new ResolverHarness();
        h.Server.ChaseCnames = chase;
        h.Server.AddCname("a.test", "b.test").AddCname("b.test", "c.test").AddCname("c.test", "A.test");

        var result = await h.Resolver.ResolveAddressesAsync("a.test", Token);

        Assert.Equal(DnsResultStatus.ServerFailure, result.Status);
        Assert.Contains("loop", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8, DnsResultStatus.Success)]
    [InlineData(9, DnsResultStatus.ServerFailure)]
    public async Task ResolveAddressesAsync_CnameChainLength_BoundedByMaxDepth(int links, DnsResultStatus expected)
    {
        await using var h = new ResolverHarness();
        for (var i = 0; i < links; i++)
        {
            h.Server.AddCname($"n{i}.test", $"n{i + 1}.test");
        }

        h.Server.AddA($"n{links}.test", "127.0.0.1");

        var result = await h.Resolver.ResolveAddressesAsync("n0.test", Token);

        Assert.Equal(expected, result.Status);
    }

    [Fact]
    public async Task ResolveAddressesAsync_ThousandConcurrentCallers_OneQueryPerType()
    {
        await using var h = new ResolverHarness();
        var gate = new TaskCompletionSource();
        h.Server.AddA("burst.test", "127.0.0.1").AddAaaa("burst.test", "::1").SetBehavior("burst.test", DnsBehavior.Answer.After(gate.Task));

        // Start the callers from several threads; Parallel.For returns once every call has begun.
        var calls = new Task<DnsResult<IPAddress>>[1000];
        Parallel.For(0, calls.Length, i => calls[i] = h.Resolver.ResolveAddressesAsync("burst.test", Token).AsTask());
        await h.Server.WaitForQueriesAsync("burst.test", 2, cancellationToken: Token);
        Assert.DoesNotContain(calls, c => c.IsCompleted);
        gate.SetResult();
        var results = await Task.WhenAll(calls);

        Assert.All(results, r => Assert.Equal(["::1", "127.0.0.1"], r.Records.Select(a => a.ToString())));
        Assert.Equal(1, h.Server.QueryCount("burst.test", DnsRecordType.A));
        Assert.Equal(1, h.Server.QueryCount("burst.test", DnsRecordType.AAAA));
    }

    [Fact]
    public async Task ResolveSrvAsync_ThousandConcurrentCallers_OneQuery()
    {
        await using var h = new ResolverHarness();
        var gate = new TaskCompletionSource();
        h.Server.AddSrv("_matrix-fed._tcp.burst.test", "t.test", 8448).SetBehavior("_matrix-fed._tcp.burst.test", DnsBehavior.Answer.After(gate.Task));

        var calls = Enumerable.Range(0, 1000).Select(_ => h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.burst.test", Token).AsTask()).ToArray();
        await h.Server.WaitForQueriesAsync("_matrix-fed._tcp.burst.test", cancellationToken: Token);
        gate.SetResult();
        var results = await Task.WhenAll(calls);

        Assert.All(results, r => Assert.Equal(DnsResultStatus.Success, r.Status));
        Assert.Equal(1, h.Server.QueryCount("_matrix-fed._tcp.burst.test"));
    }

    [Fact]
    public async Task ResolveSrvAsync_CallerCancelsWhileWaiting_OthersStillGetTheAnswer()
    {
        await using var h = new ResolverHarness();
        var gate = new TaskCompletionSource();
        h.Server.AddSrv("_matrix-fed._tcp.host.test", "t.test", 8448).SetBehavior("_matrix-fed._tcp.host.test", DnsBehavior.Answer.After(gate.Task));
        using var cancel = new CancellationTokenSource();

        var cancelled = h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", cancel.Token).AsTask();
        var other = h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.host.test", Token).AsTask();
        await h.Server.WaitForQueriesAsync("_matrix-fed._tcp.host.test", cancellationToken: Token);
        await cancel.CancelAsync();
        gate.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(DnsResultStatus.Success, (await other).Status);
    }

    [Fact]
    public async Task ResolveAddressesAsync_ManyNames_CacheBoundedByMaxEntries()
    {
        await using var h = new ResolverHarness(o => o.MaxEntries = 5);
        for (var i = 0; i < 20; i++)
        {
            h.Server.AddA($"h{i}.test", "127.0.0.1");
            await h.Resolver.ResolveAddressesAsync($"h{i}.test", Token);
        }

        Assert.InRange(h.Resolver.EntryCount, 1, 5);
    }

    [Theory]
    [InlineData("a..test")]
    [InlineData("bad\\")]
    public async Task ResolveAddressesAsync_InvalidName_NameErrorWithoutQuery(string name)
    {
        await using var h = new ResolverHarness();

        var result = await h.Resolver.ResolveAddressesAsync(name, Token);

        Assert.Equal(DnsResultStatus.NameError, result.Status);
        Assert.Contains("not a valid DNS name", result.Error, StringComparison.Ordinal);
        Assert.Empty(h.Server.Queries);
    }

    [Fact]
    public async Task ResolveAddressesAsync_AnswerChangesAfterExpiry_NewAddressesReturned()
    {
        // DNS rebinding: the cache must not pin an answer past its TTL, nor mix old and new.
        await using var h = new ResolverHarness();
        h.Server.AddA("rebind.test", "127.0.0.1", ttl: 30);
        var first = await h.Resolver.ResolveAddressesAsync("rebind.test", Token);
        h.Server.RemoveRecords("rebind.test").AddA("rebind.test", "127.0.0.2", ttl: 30);

        h.Advance(30);
        var second = await h.Resolver.ResolveAddressesAsync("rebind.test", Token);

        Assert.Equal([IPAddress.Parse("127.0.0.1")], first.Records);
        Assert.Equal([IPAddress.Parse("127.0.0.2")], second.Records);
    }

    [Fact]
    public async Task ResolveSrvAsync_OtherTypesAndOwnersMixedIntoAnswer_Ignored()
    {
        // SR-12: an A record (and an SRV record for another name) in the answer section are not SRV targets.
        await using var h = new ResolverHarness();
        h.Server.SetBehavior("_matrix-fed._tcp.mixed.test", DnsBehavior.Raw(query =>
        {
            var message = DnsMessageReader.Read(query);
            return DnsMessageWriter.Write(message with
            {
                IsResponse = true,
                Answers =
                [
                    new DnsAddressRecord("_matrix-fed._tcp.mixed.test", 60, IPAddress.Parse("127.0.0.8")),
                    new DnsServiceRecord("_matrix-fed._tcp.other.test", 60, new SrvRecord(1, 1, 1, "other.test")),
                    new DnsServiceRecord("_MATRIX-FED._tcp.Mixed.Test", 60, new SrvRecord(10, 0, 8448, "host.mixed.test")),
                ],
            });
        }));

        var result = await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.mixed.test", Token);

        Assert.Equal([new SrvRecord(10, 0, 8448, "host.mixed.test")], result.Records);
    }

    [Fact]
    public async Task ResolveAddressesAsync_TruncatedAndTcpSilent_TimeoutReported()
    {
        // 100 A records overflow 1232 bytes: UDP says "truncated", TCP never answers. AAAA is NODATA.
        await using var h = new ResolverHarness();
        for (var i = 1; i <= 100; i++)
        {
            h.Server.AddA("tcpdrop.test", $"127.0.6.{i}");
        }

        h.Server.SetBehavior("tcpdrop.test", DnsBehavior.Drop.OnlyOver(DnsTransport.Tcp));
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(Token);
        guard.CancelAfter(TimeSpan.FromSeconds(30));

        var pending = h.Resolver.ResolveAddressesAsync("tcpdrop.test", Token).AsTask();
        await h.Server.WaitForQueriesAsync("tcpdrop.test", 1, DnsRecordType.A, DnsTransport.Tcp, guard.Token);
        h.Time.Advance(ResolverHarness.QueryTimeout);
        var result = await pending;

        Assert.Equal(DnsResultStatus.Timeout, result.Status);
        Assert.Contains("TCP", result.Error, StringComparison.Ordinal);
        Assert.Equal(1, h.Server.QueryCount("tcpdrop.test", DnsRecordType.A, DnsTransport.Udp));
    }
}
