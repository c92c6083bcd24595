using FederationEgress.Discovery;
using FederationEgress.Errors;
using FederationEgress.ServerNames;
using static FederationEgress.Tests.Discovery.DiscoveryHarness;

namespace FederationEgress.Tests.Discovery;

/// <summary>The diagnostic report: every step with its inputs and results; bypass never touches the caches.</summary>
public sealed class DiscoveryReportTests
{
    [Fact]
    public async Task ResolveWithReportAsync_Bypass_ReportsEveryStepWithoutCaching()
    {
        await using var h = new DiscoveryHarness();
        h.Dns.AddSrv("_matrix._tcp.target-server", Srv("srvtarget", 8443));
        var server = await h.ServeDelegationAsync("testserv", "target-server");

        var report = await h.Resolver.ResolveWithReportAsync(ServerName.Parse("testserv"), bypassCache: true, TestContext.Current.CancellationToken);

        Assert.Equal("bypass", report.Cache);
        Assert.Null(report.Error);
        Assert.Equal(DiscoveryStep.WellKnownSrv, report.Resolution!.Step);
        Assert.Equal(["well_known", "srv", "srv", "addresses"], report.Steps.Select(s => s.Name));
        Assert.Equal("https://testserv/.well-known/matrix/server", report.Steps[0].Input);
        Assert.Equal("valid", report.Steps[0].Outcome);
        Assert.Contains("m.server target-server", report.Steps[0].Records);
        Assert.Equal("_matrix-fed._tcp.target-server", report.Steps[1].Input);
        Assert.Equal("name_error", report.Steps[1].Outcome);
        Assert.Equal(["10 0 8443 srvtarget"], report.Steps[2].Records);
        Assert.Equal(["5.6.7.8"], report.Steps[3].Records);
        Assert.Equal(0, h.Resolver.CachedCount);
        Assert.Null(h.WellKnown.Peek("testserv"));

        // A normal resolution afterwards still fetches: the report did not populate the cache.
        await h.ResolveAsync("testserv");
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task ResolveWithReportAsync_Bypass_DoesNotReplaceACachedResolution()
    {
        await using var h = new DiscoveryHarness();
        var server = await h.ServeDelegationAsync("testserv", "target-server");
        var cached = await h.ResolveAsync("testserv");
        server.Handler = Reply(404, "{}");

        var report = await h.Resolver.ResolveWithReportAsync(ServerName.Parse("testserv"), bypassCache: true, TestContext.Current.CancellationToken);

        Assert.Equal(DiscoveryStep.DefaultPort, report.Resolution!.Step);
        Assert.Equal("permanent_failure", report.Steps[0].Outcome);
        Assert.Same(cached, await h.ResolveAsync("testserv"));
        Assert.Equal("target-server", h.WellKnown.Peek("testserv")!.Delegation!.Value);
    }

    [Fact]
    public async Task ResolveWithReportAsync_WithoutBypass_ReportsAHitAfterAMiss()
    {
        await using var h = new DiscoveryHarness();
        h.Refuse("testserv");
        var name = ServerName.Parse("testserv");

        var miss = await h.Resolver.ResolveWithReportAsync(name, bypassCache: false, TestContext.Current.CancellationToken);
        var hit = await h.Resolver.ResolveWithReportAsync(name, bypassCache: false, TestContext.Current.CancellationToken);

        Assert.Equal("miss", miss.Cache);
        Assert.Equal("temporary_failure", miss.Steps[0].Outcome);
        Assert.NotNull(miss.WellKnownCacheEntry);
        Assert.Equal("hit", hit.Cache);
        Assert.Equal("cache", Assert.Single(hit.Steps).Name);
        Assert.Same(miss.Resolution, hit.Resolution);
    }

    [Fact]
    public async Task ResolveWithReportAsync_Failure_IsReportedNotThrown()
    {
        await using var h = new DiscoveryHarness();
        h.Refuse("testserv");
        h.Dns.SetSrvStatus("_matrix-fed._tcp.testserv", FederationEgress.Dns.DnsResultStatus.ServerFailure, "SERVFAIL");

        var report = await h.Resolver.ResolveWithReportAsync(ServerName.Parse("testserv"), bypassCache: true, TestContext.Current.CancellationToken);

        Assert.Null(report.Resolution);
        Assert.Equal(EgressErrorKind.DnsFailed, report.Error!.Kind);
        Assert.Equal("server_failure", report.Steps[^1].Outcome);
    }

    [Fact]
    public async Task ResolveWithReportAsync_IpLiteral_HasOneStep()
    {
        await using var h = new DiscoveryHarness();

        var report = await h.Resolver.ResolveWithReportAsync(ServerName.Parse("1.2.3.4"), bypassCache: true, TestContext.Current.CancellationToken);

        var step = Assert.Single(report.Steps);
        Assert.Equal("ip_literal", step.Name);
        Assert.Equal(["1.2.3.4:8448"], step.Records);
        Assert.Null(report.WellKnownCacheEntry);
    }
}
