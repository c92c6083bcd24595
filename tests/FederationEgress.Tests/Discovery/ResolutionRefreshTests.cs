using FederationEgress.Discovery;
using FederationEgress.Dns;
using static FederationEgress.Tests.Discovery.DiscoveryHarness;

namespace FederationEgress.Tests.Discovery;

/// <summary>The resolution cache follows the well-known refresh rules and keeps serving when a refresh fails.</summary>
public sealed class ResolutionRefreshTests
{
    [Fact]
    public async Task ResolveAsync_BackgroundRefreshFailsInDns_KeepsServingUntilExpiryThenFails()
    {
        await using var h = new DiscoveryHarness();
        h.Dns.DefaultTtl = TimeSpan.FromDays(1);
        var server = await h.ServeDelegationAsync("testserv", "target-server", "max-age=1000");
        var original = await h.ResolveAsync("testserv");
        server.Handler = Reply(200, "{\"m.server\":\"other-server\"}", "max-age=1000");
        h.Dns.SetSrvStatus("_matrix-fed._tcp.other-server", DnsResultStatus.ServerFailure);

        h.Time.Advance(TimeSpan.FromSeconds(850));
        Assert.Same(original, await h.ResolveAsync("testserv"));
        await WaitUntilAsync(() => h.Dns.Count(Testing.Fakes.ScriptedDnsResolver.SrvType, "_matrix-fed._tcp.other-server") == 1, "the refresh to reach DNS");
        await Task.Delay(50, TestContext.Current.CancellationToken);

        Assert.Same(original, await h.ResolveAsync("testserv"));
        h.Time.Advance(TimeSpan.FromSeconds(151));
        var ex = await Assert.ThrowsAsync<FederationEgress.Errors.EgressException>(async () => await h.ResolveAsync("testserv"));
        Assert.Equal(FederationEgress.Errors.EgressErrorKind.DnsFailed, ex.Error.Kind);
    }

    [Fact]
    public async Task ResolveAsync_ManyHitsInTheRefreshWindow_StartOneRefresh()
    {
        await using var h = new DiscoveryHarness();
        h.Dns.DefaultTtl = TimeSpan.FromDays(1);
        var server = await h.ServeDelegationAsync("testserv", "target-server", "max-age=1000");
        await h.ResolveAsync("testserv");

        h.Time.Advance(TimeSpan.FromSeconds(810));
        for (var i = 0; i < 100; i++)
        {
            await h.ResolveAsync("testserv");
        }

        await WaitUntilAsync(() => h.WellKnown.Peek("testserv")!.FetchedAt > h.Time.GetUtcNow() - TimeSpan.FromSeconds(1), "the refresh");
        Assert.Equal(2, server.Requests.Count);
    }
}
