using FederationEgress.Discovery;
using FederationEgress.Discovery.WellKnown;
using FederationEgress.Testing.Tls;
using static FederationEgress.Tests.Discovery.DiscoveryHarness;

namespace FederationEgress.Tests.Discovery;

/// <summary>Conformance rows C.5 (CA-*): well-known cache periods, refresh-ahead, stale-if-error, back-off.</summary>
public sealed class WellKnownCacheTests
{
    [Fact] // CA-01
    public async Task ResolveAsync_NoCacheHeaders_CachesForTheJitteredDefaultAndRefetchesAfter48Hours()
    {
        await using var h = new DiscoveryHarness(o => o.CacheJitterFraction = 0.1, new FixedRandom(0.0));
        var server = await h.ServeDelegationAsync("testserv", "target-server");

        await h.ResolveAsync("testserv");

        var entry = h.WellKnown.Peek("testserv")!;
        Assert.Equal(TimeSpan.FromSeconds(77_760), entry.ExpiresAt - entry.FetchedAt);
        h.Time.Advance(TimeSpan.FromHours(48));
        await h.ResolveAsync("testserv");
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact] // CA-02
    public async Task ResolveAsync_MaxAge_IsHonouredAndTheNewValueUsedAfterIt()
    {
        await using var h = new DiscoveryHarness();
        var server = await h.ServeDelegationAsync("testserv", "target-server", "max-age=1000");

        Assert.Equal("target-server", (await h.ResolveAsync("testserv")).DelegatedName);
        h.Time.Advance(TimeSpan.FromSeconds(500));
        Assert.Equal("target-server", (await h.ResolveAsync("testserv")).DelegatedName);
        Assert.Single(server.Requests);

        server.Handler = Reply(200, "{\"m.server\":\"other-server\"}");
        h.Dns.AddAddresses("other-server", "7.7.7.7");
        h.Time.Advance(TimeSpan.FromSeconds(500));
        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(2, server.Requests.Count);
        Assert.Equal("other-server", resolution.DelegatedName);
        Assert.Equal(["7.7.7.7:8448"], Endpoints(resolution));
    }

    [Theory] // CA-03, CA-04 end to end
    [InlineData("max-age=10", 300)]
    [InlineData("max-age=604800", 172_800)]
    [InlineData("no-store", 300)]
    [InlineData("max-age=0", 300)]
    [InlineData("no-cache", 300)]
    public async Task ResolveAsync_HeaderPeriod_IsClamped(string cacheControl, int expectedSeconds)
    {
        await using var h = new DiscoveryHarness();
        await h.ServeDelegationAsync("testserv", "target-server", cacheControl);

        await h.ResolveAsync("testserv");

        var entry = h.WellKnown.Peek("testserv")!;
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), entry.ExpiresAt - entry.FetchedAt);
    }

    [Fact] // CA-06 end to end: Expires without Cache-Control
    public async Task ResolveAsync_ExpiresHeader_SetsThePeriod()
    {
        await using var h = new DiscoveryHarness();
        var expires = (h.Time.GetUtcNow() + TimeSpan.FromHours(2)).ToString("r");
        await h.ServeAsync("testserv", Reply(200, "{\"m.server\":\"target-server\"}", expires: expires));

        await h.ResolveAsync("testserv");

        var entry = h.WellKnown.Peek("testserv")!;
        Assert.Equal(TimeSpan.FromHours(2), entry.ExpiresAt - entry.FetchedAt);
    }

    [Fact] // CA-07, CA-08
    public async Task ResolveAsync_RefreshFailsTemporarily_KeepsServingTheDelegationUntilItExpires()
    {
        await using var h = new DiscoveryHarness();
        var server = await h.ServeDelegationAsync("testserv", "target-server", "max-age=1000");
        await h.ResolveAsync("testserv");
        var original = h.WellKnown.Peek("testserv")!;

        // t = 900 ≥ 800 = expiry − 0.2·ttl: the lookup serves the cached value and refetches.
        await h.StopAndRefuseAsync(server, "testserv");
        h.Time.Advance(TimeSpan.FromSeconds(900));
        var during = await h.ResolveAsync("testserv");
        Assert.Equal("target-server", during.DelegatedName);
        await WaitUntilAsync(() => h.WellKnown.Peek("testserv")!.LastFetch.Failure == WellKnownFailure.ConnectError, "the refresh and its retries");

        // All three attempts (the domain had a valid answer) were refused: nothing new cached.
        var kept = h.WellKnown.Peek("testserv")!;
        Assert.Equal("target-server", kept.Delegation!.Value);
        Assert.Equal(original.ExpiresAt, kept.ExpiresAt);
        Assert.Equal(3, kept.LastFetch.Attempts);
        Assert.Equal(WellKnownFailure.ConnectError, kept.LastFetch.Failure);
        Assert.Equal("target-server", (await h.ResolveAsync("testserv")).DelegatedName);
        Assert.Equal(4, h.Upstream.Connects.Count);

        // That hit was in the resolution's refresh window and started a background refresh; a lookup
        // after the clock moves would join it and get its t=900 answer, so let it finish first.
        await WaitUntilAsync(() => h.Resolver.InFlightCount == 0, "the resolution refresh");

        // CA-08: both caches expire; the next lookup is refused → no delegation → step 5.
        h.Time.Advance(TimeSpan.FromSeconds(10_000));
        var after = await h.ResolveAsync("testserv");
        Assert.Equal(DiscoveryStep.DefaultPort, after.Step);
        Assert.Equal("testserv", after.HostHeader);
        Assert.Equal(["1.2.3.4:8448"], Endpoints(after));
    }

    [Fact] // CA-07: a successful refresh replaces the value in the background
    public async Task ResolveAsync_InRefreshWindow_RefetchesInTheBackgroundAndUsesTheNewValueNext()
    {
        await using var h = new DiscoveryHarness();
        var server = await h.ServeDelegationAsync("testserv", "target-server", "max-age=1000");
        await h.ResolveAsync("testserv");
        server.Handler = Reply(200, "{\"m.server\":\"other-server\"}", "max-age=1000");
        h.Dns.AddAddresses("other-server", "7.7.7.7");

        h.Time.Advance(TimeSpan.FromSeconds(700));
        Assert.Equal("target-server", (await h.ResolveAsync("testserv")).DelegatedName);
        Assert.Single(server.Requests);

        h.Time.Advance(TimeSpan.FromSeconds(150));
        var served = h.Resolver.ResolveAsync(FederationEgress.ServerNames.ServerName.Parse("testserv"), TestContext.Current.CancellationToken);
        Assert.True(served.IsCompletedSuccessfully);
        Assert.Equal("target-server", (await served).DelegatedName);
        await WaitUntilAsync(() => h.WellKnown.Peek("testserv")!.Delegation!.Value == "other-server", "the background refresh");
        await WaitUntilAsync(async () => (await h.ResolveAsync("testserv")).DelegatedName == "other-server", "the refreshed resolution");
        Assert.Equal(2, server.Requests.Count);
    }

    [Theory] // CA-09
    [InlineData(404, "{}")]
    [InlineData(200, "NOT JSON")]
    public async Task ResolveAsync_RefreshFailsPermanently_DropsTheDelegationAndCachesTwoMinutes(int status, string body)
    {
        await using var h = new DiscoveryHarness();
        var server = await h.ServeDelegationAsync("testserv", "target-server", "max-age=1000");
        await h.ResolveAsync("testserv");
        server.Handler = Reply(status, body);

        h.Time.Advance(TimeSpan.FromSeconds(900));
        await h.ResolveAsync("testserv");
        await WaitUntilAsync(() => h.WellKnown.Peek("testserv")!.Delegation is null, "the delegation to be dropped");

        var entry = h.WellKnown.Peek("testserv")!;
        Assert.Equal(TimeSpan.FromSeconds(120), entry.ExpiresAt - entry.FetchedAt);
        Assert.Equal(1, entry.LastFetch.Attempts);
        Assert.Equal(2, server.Requests.Count);
        await WaitUntilAsync(async () => (await h.ResolveAsync("testserv")).Step == DiscoveryStep.DefaultPort, "the resolution to fall back");
    }

    [Fact] // CA-10
    public async Task ResolveAsync_FailureWithoutPastValid_CachesTheInvalidPeriodWithOneAttempt()
    {
        await using var h = new DiscoveryHarness(o => o.CacheJitterFraction = 0.1, new FixedRandom(1.0));
        var server = await h.ServeAsync("testserv", Reply(503, "down"));

        await h.ResolveAsync("testserv");

        var entry = h.WellKnown.Peek("testserv")!;
        Assert.Equal(TimeSpan.FromSeconds(3960), entry.ExpiresAt - entry.FetchedAt);
        Assert.Single(server.Requests);
    }

    [Fact] // CA-11
    public async Task ResolveAsync_FailureSoonAfterAValidAnswer_RetriesThreeTimesAndCachesTwoMinutes()
    {
        await using var h = new DiscoveryHarness();
        var server = await h.ServeDelegationAsync("testserv", "target-server", "max-age=300");
        await h.ResolveAsync("testserv");
        server.Handler = Reply(500, "boom");

        h.Time.Advance(TimeSpan.FromSeconds(400));
        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(DiscoveryStep.DefaultPort, resolution.Step);
        Assert.Equal(4, server.Requests.Count);
        var entry = h.WellKnown.Peek("testserv")!;
        Assert.Equal(TimeSpan.FromSeconds(120), entry.ExpiresAt - entry.FetchedAt);
        Assert.Equal(3, entry.LastFetch.Attempts);
    }

    [Fact] // CA-11: the retries pause WellKnownRetryDelayMilliseconds on the injected clock
    public async Task ResolveAsync_RetriesAfterAValidAnswer_WaitForTheRetryDelay()
    {
        await using var h = new DiscoveryHarness(o => o.WellKnownRetryDelayMilliseconds = 500);
        var server = await h.ServeDelegationAsync("testserv", "target-server", "max-age=300");
        await h.ResolveAsync("testserv");
        server.Handler = Reply(502, "bad gateway");
        h.Time.Advance(TimeSpan.FromSeconds(400));

        var pending = h.ResolveAsync("testserv").AsTask();
        await WaitUntilAsync(() => server.Requests.Count == 2, "the first failed attempt");

        // Step the clock until the next attempt shows up: it must not come before 500 ms have passed.
        var advanced = await AdvanceUntilAsync(h, () => server.Requests.Count == 3);
        Assert.True(advanced >= TimeSpan.FromMilliseconds(500), $"retried after {advanced.TotalMilliseconds} ms");
        advanced = await AdvanceUntilAsync(h, () => server.Requests.Count == 4);
        Assert.True(advanced >= TimeSpan.FromMilliseconds(500), $"retried after {advanced.TotalMilliseconds} ms");

        var resolution = await pending.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.Equal(4, server.Requests.Count);
        Assert.Equal(DiscoveryStep.DefaultPort, resolution.Step);
    }

    [Fact] // CA-11: too large is never retried
    public async Task ResolveAsync_TooLargeAfterAValidAnswer_IsNotRetried()
    {
        await using var h = new DiscoveryHarness();
        var server = await h.ServeDelegationAsync("testserv", "target-server", "max-age=300");
        await h.ResolveAsync("testserv");
        server.Handler = Reply(200, new string(' ', 60_000));

        h.Time.Advance(TimeSpan.FromSeconds(400));
        await h.ResolveAsync("testserv");

        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(WellKnownFailure.TooLarge, h.WellKnown.Peek("testserv")!.LastFetch.Failure);
    }

    [Fact] // CA-12
    public async Task ResolveAsync_NameWithPort_NeitherUsesNorPopulatesTheWellKnownCache()
    {
        await using var h = new DiscoveryHarness();
        var server = await h.ServeDelegationAsync("testserv", "target-server");

        await h.ResolveAsync("testserv:8448");
        Assert.Null(h.WellKnown.Peek("testserv"));
        Assert.Empty(server.Requests);

        await h.ResolveAsync("testserv");
        Assert.NotNull(h.WellKnown.Peek("testserv"));
        Assert.Single(server.Requests);
    }

    [Fact] // CA-14: 2, 4, 8, 16, 32, 60 min while the domain "had valid", then 60 min
    public async Task ResolveAsync_RepeatedFailures_BackOffExponentially()
    {
        await using var h = new DiscoveryHarness(o => o.WellKnownRetryAttempts = 1);
        var server = await h.ServeDelegationAsync("testserv", "target-server", "max-age=300");
        await h.ResolveAsync("testserv");
        server.Handler = Reply(500, "boom");
        h.Time.Advance(TimeSpan.FromSeconds(301));

        var periods = new List<double>();
        for (var i = 0; i < 8; i++)
        {
            await h.ResolveAsync("testserv");
            var entry = h.WellKnown.Peek("testserv")!;
            var period = entry.ExpiresAt - entry.FetchedAt;
            periods.Add(period.TotalSeconds);
            h.Time.Advance(period + TimeSpan.FromSeconds(1));
        }

        Assert.Equal([120, 240, 480, 960, 1920, 3600, 3600, 3600], periods);
        Assert.Equal(9, server.Requests.Count);
    }

    [Fact]
    public async Task ResolveAsync_ValidAfterFailures_ResetsTheBackOff()
    {
        await using var h = new DiscoveryHarness(o => o.WellKnownRetryAttempts = 1);
        var server = await h.ServeDelegationAsync("testserv", "target-server", "max-age=300");
        await h.ResolveAsync("testserv");
        server.Handler = Reply(500, "boom");
        h.Time.Advance(TimeSpan.FromSeconds(301));
        await h.ResolveAsync("testserv");
        h.Time.Advance(TimeSpan.FromSeconds(121));
        await h.ResolveAsync("testserv");
        Assert.Equal(2, h.WellKnown.Peek("testserv")!.ConsecutiveFailures);

        server.Handler = Reply(200, "{\"m.server\":\"target-server\"}", "max-age=300");
        h.Time.Advance(TimeSpan.FromSeconds(241));
        await h.ResolveAsync("testserv");
        Assert.Equal(0, h.WellKnown.Peek("testserv")!.ConsecutiveFailures);

        server.Handler = Reply(500, "boom");
        h.Time.Advance(TimeSpan.FromSeconds(301));
        await h.ResolveAsync("testserv");
        var entry = h.WellKnown.Peek("testserv")!;
        Assert.Equal(TimeSpan.FromSeconds(120), entry.ExpiresAt - entry.FetchedAt);
    }

    [Fact]
    public async Task ResolveAsync_ConfiguredMinimum_LowersTheClamp()
    {
        await using var h = new DiscoveryHarness(o => o.WellKnownMinCacheSeconds = 5);
        await h.ServeDelegationAsync("testserv", "target-server", "max-age=10");

        await h.ResolveAsync("testserv");

        var entry = h.WellKnown.Peek("testserv")!;
        Assert.Equal(TimeSpan.FromSeconds(10), entry.ExpiresAt - entry.FetchedAt);
    }

    private static async Task<TimeSpan> AdvanceUntilAsync(DiscoveryHarness h, Func<bool> condition)
    {
        var step = TimeSpan.FromMilliseconds(50);
        var advanced = TimeSpan.Zero;
        await WaitUntilAsync(
            async () =>
            {
                await Task.Delay(5, TestContext.Current.CancellationToken);
                if (condition())
                {
                    return true;
                }

                h.Time.Advance(step);
                advanced += step;
                return false;
            },
            "the clock to reach the retry");
        return advanced;
    }
}
