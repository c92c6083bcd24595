using FederationEgress.Discovery;
using FederationEgress.Dns;
using FederationEgress.Errors;
using FederationEgress.Testing.Fakes;
using static FederationEgress.Tests.Discovery.DiscoveryHarness;

namespace FederationEgress.Tests.Discovery;

/// <summary>Conformance rows C.4 (SR-*): steps 4 and 5 when there is no well-known (WK✗).</summary>
public sealed class SrvDiscoveryTests
{
    [Fact] // SR-01
    public async Task ResolveAsync_NoWellKnownNoSrv_UsesAddressesOn8448()
    {
        await using var h = NoWellKnown();

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(DiscoveryStep.DefaultPort, resolution.Step);
        Assert.Equal(["1.2.3.4:8448"], Endpoints(resolution));
        Assert.Equal("testserv", resolution.HostHeader);
        Assert.Equal("testserv", resolution.TlsName);
    }

    [Fact] // SR-02, SR-04 (the TLS name is the server name, never the SRV target)
    public async Task ResolveAsync_FederationSrv_UsesTargetAndPortWithServerNameForHostAndTls()
    {
        await using var h = NoWellKnown();
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", Srv("srvtarget", 8443));

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(DiscoveryStep.Srv, resolution.Step);
        Assert.Equal(["_matrix-fed._tcp.testserv"], h.Dns.SrvQueries);
        Assert.Equal(["5.6.7.8:8443"], Endpoints(resolution));
        Assert.Equal("testserv", resolution.HostHeader);
        Assert.Equal("testserv", resolution.TlsName);
    }

    [Fact] // SR-03
    public async Task ResolveAsync_LegacySrvOnly_IsUsedAfterTheFederationName()
    {
        await using var h = NoWellKnown();
        h.Dns.AddSrv("_matrix._tcp.testserv", Srv("srvtarget", 8443));

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(["_matrix-fed._tcp.testserv", "_matrix._tcp.testserv"], h.Dns.SrvQueries);
        Assert.Equal(["5.6.7.8:8443"], Endpoints(resolution));
        Assert.Equal("testserv", resolution.HostHeader);
        Assert.Equal("testserv", resolution.TlsName);
    }

    [Fact] // SR-05: both targets are candidates, in order, for the forwarder's failover.
    public async Task ResolveAsync_SeveralTargets_ListsEveryTargetInOrder()
    {
        await using var h = NoWellKnown();
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", Srv("target.com", 8443, priority: 1), Srv("target.com", 8444, priority: 2));

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(["1.2.3.4:8443", "1.2.3.4:8444"], Endpoints(resolution));
        Assert.Equal("testserv", resolution.HostHeader);
        Assert.Equal(1, h.Dns.Count(ScriptedDnsResolver.AddressType, "target.com"));
    }

    [Fact] // SR-06
    public async Task ResolveAsync_FederationSrvExists_LegacyIsNeverAskedAndNo8448Fallback()
    {
        await using var h = NoWellKnown();
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", Srv("target.com", 8443))
            .AddSrv("_matrix._tcp.testserv", Srv("srvtarget", 8448));

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(["1.2.3.4:8443"], Endpoints(resolution));
        Assert.Equal(["_matrix-fed._tcp.testserv"], h.Dns.SrvQueries);
    }

    [Fact] // SR-06 / MSC4040: even when every federation target fails to resolve.
    public async Task ResolveAsync_FederationSrvTargetsDoNotResolve_FailsWithoutLegacyOr8448()
    {
        await using var h = NoWellKnown();
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", Srv("gone.example", 8443))
            .AddSrv("_matrix._tcp.testserv", Srv("srvtarget", 8448));

        var ex = await Assert.ThrowsAsync<EgressException>(async () => await h.ResolveAsync("testserv"));

        Assert.Equal(EgressErrorKind.NoAddresses, ex.Error.Kind);
        Assert.Contains("gone.example", ex.Error.Message);
        Assert.Equal(["_matrix-fed._tcp.testserv"], h.Dns.SrvQueries);
        Assert.Equal(0, h.Dns.Count(ScriptedDnsResolver.AddressType, "testserv"));
    }

    [Fact] // SR-08
    public async Task ResolveAsync_Priorities_LowestPriorityFirst()
    {
        await using var h = NoWellKnown();
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", Srv("b.example", 1, priority: 20), Srv("a.example", 1, priority: 10))
            .AddAddresses("a.example", "10.0.0.1")
            .AddAddresses("b.example", "10.0.0.2");

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(["10.0.0.1:1", "10.0.0.2:1"], Endpoints(resolution));
    }

    [Fact] // SR-09, SR-18: the weighted order is redrawn across cache hits, not fixed for the cache lifetime
    public async Task ResolveAsync_CacheHitsWithWeightedTargets_VaryTheOrderByWeight()
    {
        await using var h = NoWellKnown();
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", Srv("b.example", 8448, weight: 10), Srv("c.example", 8448, weight: 30), Srv("z.example", 8448, priority: 20))
            .AddAddresses("b.example", "10.0.0.2")
            .AddAddresses("c.example", "10.0.0.3")
            .AddAddresses("z.example", "10.0.0.9");
        var first = await h.ResolveAsync("testserv");

        var firsts = new Dictionary<string, int>();
        for (var i = 0; i < 2_000; i++)
        {
            var hit = await h.ResolveAsync("testserv");
            Assert.Equal("testserv", hit.HostHeader);
            Assert.Equal(first.ExpiresAt, hit.ExpiresAt);
            Assert.Equal("10.0.0.9:8448", Endpoints(hit)[^1]);
            Assert.Equal(["10.0.0.2:8448", "10.0.0.3:8448", "10.0.0.9:8448"], Endpoints(hit).Order());
            firsts[Endpoints(hit)[0]] = firsts.GetValueOrDefault(Endpoints(hit)[0]) + 1;
        }

        Assert.True(firsts["10.0.0.3:8448"] > firsts["10.0.0.2:8448"], string.Join(", ", firsts));
        Assert.True(firsts["10.0.0.2:8448"] > 0, string.Join(", ", firsts));
        Assert.Equal(4, h.Dns.Queries.Count);
    }

    [Fact]
    public async Task ResolveAsync_FixedSrvOrder_ReturnsTheSameInstanceOnHits()
    {
        await using var h = NoWellKnown();
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", Srv("b.example", 8448, priority: 1), Srv("c.example", 8448, priority: 2))
            .AddAddresses("b.example", "10.0.0.2")
            .AddAddresses("c.example", "10.0.0.3");
        var first = await h.ResolveAsync("testserv");

        Assert.Same(first, await h.ResolveAsync("testserv"));
    }

    [Fact] // SR-10
    public async Task ResolveAsync_LoneDotTarget_FailsAsServiceUnavailableNamingTheRecord()
    {
        await using var h = NoWellKnown();
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", Srv(".", 0))
            .AddSrv("_matrix._tcp.testserv", Srv("srvtarget", 8448));

        var ex = await Assert.ThrowsAsync<EgressException>(async () => await h.ResolveAsync("testserv"));

        Assert.Equal(EgressErrorKind.ServiceUnavailable, ex.Error.Kind);
        Assert.Equal(502, EgressErrorMapper.StatusCode(ex.Error.Kind));
        Assert.Equal("srv", ex.Error.Step);
        Assert.Contains("_matrix-fed._tcp.testserv", ex.Error.Message);
        Assert.Contains("\".\"", ex.Error.Message);
        Assert.Equal(["_matrix-fed._tcp.testserv"], h.Dns.SrvQueries);
        Assert.DoesNotContain(h.Dns.Queries, q => q.Type == ScriptedDnsResolver.AddressType);
    }

    [Fact] // SR-11
    public async Task ResolveAsync_DotAmongOtherRecords_IsDropped()
    {
        await using var h = NoWellKnown();
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", Srv(".", 0, priority: 0), Srv("a.example", 8448, priority: 10))
            .AddAddresses("a.example", "10.0.0.1");

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(["10.0.0.1:8448"], Endpoints(resolution));
    }

    [Fact] // SR-13: CNAMEs are followed by the DNS resolver; Host/TLS unchanged.
    public async Task ResolveAsync_SrvTargetIsACname_UsesItsAddressesWithTheServerNameForHost()
    {
        await using var h = NoWellKnown();
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", Srv("alias.example", 8448)).AddAddresses("alias.example", "9.9.9.9");

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(["9.9.9.9:8448"], Endpoints(resolution));
        Assert.Equal("testserv", resolution.HostHeader);
        Assert.Equal("testserv", resolution.TlsName);
    }

    [Fact] // SR-14
    public async Task ResolveAsync_TargetWithTrailingDotAndCapitals_IsLookedUpBare()
    {
        await using var h = NoWellKnown();
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", Srv("Srv.Example.", 8448)).AddAddresses("srv.example", "9.9.9.9");

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(["9.9.9.9:8448"], Endpoints(resolution));
        Assert.Equal("srv.example", resolution.Endpoints[0].Target);
        Assert.Equal(1, h.Dns.Count(ScriptedDnsResolver.AddressType, "srv.example"));
        Assert.Equal("testserv", resolution.HostHeader);
    }

    [Theory] // SR-15
    [InlineData(DnsResultStatus.NameError)]
    [InlineData(DnsResultStatus.NoData)]
    public async Task ResolveAsync_FederationSrvHasNoSuchRecord_FallsThroughToLegacyThen8448(DnsResultStatus status)
    {
        await using var h = NoWellKnown();
        h.Dns.SetSrvStatus("_matrix-fed._tcp.testserv", status).SetSrvStatus("_matrix._tcp.testserv", status);

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(["_matrix-fed._tcp.testserv", "_matrix._tcp.testserv"], h.Dns.SrvQueries);
        Assert.Equal(["1.2.3.4:8448"], Endpoints(resolution));
    }

    [Theory] // SR-16
    [InlineData("_matrix-fed._tcp.testserv", DnsResultStatus.ServerFailure)]
    [InlineData("_matrix-fed._tcp.testserv", DnsResultStatus.Timeout)]
    [InlineData("_matrix._tcp.testserv", DnsResultStatus.ServerFailure)]
    public async Task ResolveAsync_SrvLookupFailsWithoutStaleData_FailsTheRequestNamingDns(string service, DnsResultStatus status)
    {
        await using var h = NoWellKnown();
        h.Dns.SetSrvStatus(service, status, "no answer from 127.0.0.53");

        var ex = await Assert.ThrowsAsync<EgressException>(async () => await h.ResolveAsync("testserv"));

        Assert.Equal(EgressErrorKind.DnsFailed, ex.Error.Kind);
        Assert.Equal(502, EgressErrorMapper.StatusCode(ex.Error.Kind));
        Assert.Equal("srv", ex.Error.Step);
        Assert.Contains(service, ex.Error.Message);
        Assert.Equal(service, h.Dns.SrvQueries[^1]);
        Assert.DoesNotContain(h.Dns.Queries, q => q.Type == ScriptedDnsResolver.AddressType && q.Name == "testserv");
    }

    [Fact] // SR-17
    public async Task ResolveAsync_StaleSrvAnswer_IsUsedAndTheResolutionRetriedSoon()
    {
        await using var h = NoWellKnown();
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", Srv("srvtarget", 8443)).MarkSrvStale("_matrix-fed._tcp.testserv");
        var now = h.Time.GetUtcNow();

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(["5.6.7.8:8443"], Endpoints(resolution));
        Assert.Equal(now + TimeSpan.FromSeconds(h.Options.StaleResolutionSeconds), resolution.ExpiresAt);
    }

    [Fact] // SR-18
    public async Task ResolveAsync_CachedResolution_AsksNoDnsUntilItExpires()
    {
        await using var h = NoWellKnown();
        h.Dns.DefaultTtl = TimeSpan.FromSeconds(600);
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", TimeSpan.FromSeconds(120), Srv("srvtarget", 8443));
        await h.ResolveAsync("testserv");
        h.Dns.ClearQueries();

        var hit = h.Resolver.ResolveAsync(FederationEgress.ServerNames.ServerName.Parse("testserv"), TestContext.Current.CancellationToken);
        Assert.True(hit.IsCompletedSuccessfully);
        h.Time.Advance(TimeSpan.FromSeconds(119));
        await h.ResolveAsync("testserv");
        Assert.Empty(h.Dns.Queries);

        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.ResolveAsync("testserv");
        Assert.Contains(new DnsQuery(ScriptedDnsResolver.SrvType, "_matrix-fed._tcp.testserv"), h.Dns.Queries);
    }

    [Fact] // SR-19
    public async Task ResolveAsync_TargetWithSeveralAddresses_ListsAllOfThemBeforeTheNextTarget()
    {
        await using var h = NoWellKnown();
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", Srv("srvtarget", 8443, priority: 1), Srv("target.com", 8448, priority: 2))
            .AddAddresses("srvtarget", "2a01::8", "5.6.7.8");

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(["[2a01::8]:8443", "5.6.7.8:8443", "1.2.3.4:8448"], Endpoints(resolution));
    }

    [Fact] // SR-20
    public async Task ResolveAsync_TargetThatDoesNotResolve_IsSkipped()
    {
        await using var h = NoWellKnown();
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", Srv("gone.example", 8448, priority: 1), Srv("ok.example", 8448, priority: 2))
            .SetAddressStatus("gone.example", DnsResultStatus.NameError)
            .AddAddresses("ok.example", "10.9.9.9");

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(["10.9.9.9:8448"], Endpoints(resolution));
        Assert.Equal(1, h.Dns.Count(ScriptedDnsResolver.AddressType, "gone.example"));
    }

    [Fact]
    public async Task ResolveAsync_NoTargetResolvesAndOneFailed_FailsWithDnsFailed()
    {
        await using var h = NoWellKnown();
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", Srv("gone.example", 8448), Srv("broken.example", 8448))
            .SetAddressStatus("broken.example", DnsResultStatus.ServerFailure);

        var ex = await Assert.ThrowsAsync<EgressException>(async () => await h.ResolveAsync("testserv"));

        Assert.Equal(EgressErrorKind.DnsFailed, ex.Error.Kind);
        Assert.Contains("gone.example", ex.Error.Message);
        Assert.Contains("broken.example", ex.Error.Message);
    }

    [Fact]
    public async Task ResolveAsync_ExpiresAt_IsTheEarliestInputExpiry()
    {
        await using var h = NoWellKnown();
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", TimeSpan.FromSeconds(900), Srv("srvtarget", 8443))
            .AddAddresses("srvtarget", TimeSpan.FromSeconds(60), "5.6.7.8");
        var now = h.Time.GetUtcNow();

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(now + TimeSpan.FromSeconds(60), resolution.ExpiresAt);
    }

    [Fact]
    public async Task ResolveAsync_FailureCachedWellKnown_BoundsTheResolutionExpiry()
    {
        await using var h = NoWellKnown();
        h.Dns.DefaultTtl = TimeSpan.FromDays(1);
        var now = h.Time.GetUtcNow();

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(now + TimeSpan.FromSeconds(h.Options.WellKnownInvalidCacheSeconds), resolution.ExpiresAt);
    }

    private static DiscoveryHarness NoWellKnown()
    {
        var h = new DiscoveryHarness();
        h.Refuse("testserv");
        return h;
    }
}
