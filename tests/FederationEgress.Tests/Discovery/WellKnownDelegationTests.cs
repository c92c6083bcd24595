using FederationEgress.Discovery;
using FederationEgress.Discovery.WellKnown;
using FederationEgress.Testing.Fakes;
using static FederationEgress.Tests.Discovery.DiscoveryHarness;

namespace FederationEgress.Tests.Discovery;

/// <summary>Conformance rows C.2 (WK-*): well-known delegation over real TLS on loopback.</summary>
public sealed class WellKnownDelegationTests
{
    [Fact] // WK-01
    public async Task ResolveAsync_HostnameWithoutPort_FetchesWellKnownFirstWithSniHostPathAndUserAgent()
    {
        await using var h = new DiscoveryHarness();
        var srvQueriesBeforeAnswer = -1;
        var server = await h.ServeAsync("testserv", async context =>
        {
            srvQueriesBeforeAnswer = h.Dns.SrvQueries.Count;
            await Reply(200, "{\"m.server\":\"target-server\"}")(context);
        });

        await h.ResolveAsync("testserv");

        var request = Assert.Single(server.Requests);
        Assert.Equal("testserv", request.Sni);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/.well-known/matrix/server", request.RawTarget);
        Assert.Equal("testserv", request.Host);
        Assert.Equal(WellKnownFetcher.UserAgent, request.Headers["user-agent"]);
        Assert.StartsWith("FederationEgress/", request.Headers["user-agent"]);
        Assert.Equal(["testserv:443"], h.Upstream.Connects);
        Assert.Equal(0, srvQueriesBeforeAnswer);
    }

    [Fact]
    public async Task ResolveAsync_WellKnownFetched_AsksServerToCloseAndKeepsNoPooledConnection()
    {
        await using var h = new DiscoveryHarness();
        var server = await h.ServeDelegationAsync("testserv", "target-server");

        await h.ResolveAsync("testserv");
        h.Time.Advance(TimeSpan.FromHours(48));
        await h.ResolveAsync("testserv");

        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal("close", r.Headers["connection"]));
        Assert.Equal(["testserv:443", "testserv:443"], h.Upstream.Connects);
    }

    [Fact] // WK-02
    public async Task ResolveAsync_DelegatedHostnameWithoutSrv_UsesAddressesOn8448WithDelegatedHostAndTls()
    {
        await using var h = new DiscoveryHarness();
        var server = await h.ServeDelegationAsync("testserv", "target-server");

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(DiscoveryStep.WellKnownDefaultPort, resolution.Step);
        Assert.Equal(["_matrix-fed._tcp.target-server", "_matrix._tcp.target-server"], h.Dns.SrvQueries);
        Assert.Equal(["[1::f]:8448"], Endpoints(resolution));
        Assert.Equal("target-server", resolution.HostHeader);
        Assert.Equal("target-server", resolution.TlsName);
        Assert.Equal("target-server", resolution.DelegatedName);

        // Cached as testserv → target-server; gone after 48 h.
        await h.ResolveAsync("testserv");
        Assert.Single(server.Requests);
        h.Time.Advance(TimeSpan.FromHours(48));
        await h.ResolveAsync("testserv");
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact] // WK-03
    public async Task ResolveAsync_DelegatedHostnameWithFederationSrv_UsesSrvTargetButDelegatedHostAndTls()
    {
        await using var h = new DiscoveryHarness();
        h.Dns.AddSrv("_matrix-fed._tcp.target-server", Srv("srvtarget", 8443));
        await h.ServeDelegationAsync("testserv", "target-server");

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(DiscoveryStep.WellKnownSrv, resolution.Step);
        Assert.Equal(["_matrix-fed._tcp.target-server"], h.Dns.SrvQueries);
        Assert.Equal(["5.6.7.8:8443"], Endpoints(resolution));
        Assert.Equal("srvtarget", resolution.Endpoints[0].Target);
        Assert.Equal("target-server", resolution.HostHeader);
        Assert.Equal("target-server", resolution.TlsName);
    }

    [Fact] // WK-04
    public async Task ResolveAsync_DelegatedHostnameWithLegacySrvOnly_QueriesBothInOrder()
    {
        await using var h = new DiscoveryHarness();
        h.Dns.AddSrv("_matrix._tcp.target-server", Srv("srvtarget", 8443));
        await h.ServeDelegationAsync("testserv", "target-server");

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(DiscoveryStep.WellKnownSrv, resolution.Step);
        Assert.Equal(["_matrix-fed._tcp.target-server", "_matrix._tcp.target-server"], h.Dns.SrvQueries);
        Assert.Equal(["5.6.7.8:8443"], Endpoints(resolution));
        Assert.Equal("target-server", resolution.HostHeader);
        Assert.Equal("target-server", resolution.TlsName);
    }

    [Fact] // WK-05
    public async Task ResolveAsync_BothSrvNamesExist_OnlyFederationSrvIsUsedAndLegacyNeverAsked()
    {
        await using var h = new DiscoveryHarness();
        h.Dns.AddSrv("_matrix-fed._tcp.target-server", Srv("a.example", 1111))
            .AddSrv("_matrix._tcp.target-server", Srv("b.example", 2222))
            .AddAddresses("a.example", "10.0.0.1")
            .AddAddresses("b.example", "10.0.0.2");
        await h.ServeDelegationAsync("testserv", "target-server");

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(["10.0.0.1:1111"], Endpoints(resolution));
        Assert.Equal(0, h.Dns.Count(ScriptedDnsResolver.SrvType, "_matrix._tcp.target-server"));
    }

    [Fact] // WK-06
    public async Task ResolveAsync_DelegatedHostnameWithPort_UsesAddressesOnThatPortWithoutSrv()
    {
        await using var h = new DiscoveryHarness();
        h.Dns.AddAddresses("matrix.example.com", "9.9.9.9");
        await h.ServeDelegationAsync("testserv", "matrix.example.com:4242");

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(DiscoveryStep.WellKnownExplicitPort, resolution.Step);
        Assert.Empty(h.Dns.SrvQueries);
        Assert.Equal(["9.9.9.9:4242"], Endpoints(resolution));
        Assert.Equal("matrix.example.com:4242", resolution.HostHeader);
        Assert.Equal("matrix.example.com", resolution.TlsName);
        Assert.Equal("matrix.example.com:4242", resolution.DelegatedName);
    }

    [Theory]
    [InlineData("42.42.42.42", "42.42.42.42:8448", "42.42.42.42")] // WK-07
    [InlineData("42.42.42.42:443", "42.42.42.42:443", "42.42.42.42:443")] // WK-08
    [InlineData("[2a01:4f8::1]:8448", "[2a01:4f8::1]:8448", "[2a01:4f8::1]:8448")] // WK-09
    [InlineData("[2a01:4f8::1]", "[2a01:4f8::1]:8448", "[2a01:4f8::1]")]
    public async Task ResolveAsync_DelegatedIpLiteral_ConnectsToItWithoutSniAndIpHost(string delegation, string endpoint, string host)
    {
        await using var h = new DiscoveryHarness();
        await h.ServeDelegationAsync("testserv", delegation);

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(DiscoveryStep.WellKnownIpLiteral, resolution.Step);
        Assert.Equal([endpoint], Endpoints(resolution));
        Assert.Equal(host, resolution.HostHeader);
        Assert.Null(resolution.TlsName);
        Assert.Empty(h.Dns.Queries);
    }

    [Fact] // WK-10
    public async Task ResolveAsync_DelegateAlsoServesWellKnown_ItIsNeverFetched()
    {
        await using var h = new DiscoveryHarness();
        await h.ServeDelegationAsync("testserv", "target-server");
        var delegate_ = await h.ServeDelegationAsync("target-server", "other");

        var resolution = await h.ResolveAsync("testserv");

        Assert.Empty(delegate_.Requests);
        Assert.Equal(["[1::f]:8448"], Endpoints(resolution));
        Assert.Equal("target-server", resolution.HostHeader);
    }

    [Fact] // WK-11
    public async Task ResolveAsync_SelfDelegation_UsesSrvAndAddressesOfTheSameNameWithoutLooping()
    {
        await using var h = new DiscoveryHarness();
        var server = await h.ServeDelegationAsync("testserv", "testserv");

        var resolution = await h.ResolveAsync("testserv");

        Assert.Single(server.Requests);
        Assert.Equal(DiscoveryStep.WellKnownDefaultPort, resolution.Step);
        Assert.Equal(["1.2.3.4:8448"], Endpoints(resolution));
        Assert.Equal("testserv", resolution.HostHeader);
        Assert.Equal("testserv", resolution.TlsName);
    }

    [Fact] // WK-12
    public async Task ResolveAsync_DelegationWithExplicitDefaultPort_KeepsThePortAndSkipsSrv()
    {
        await using var h = new DiscoveryHarness();
        await h.ServeDelegationAsync("testserv", "target-server:8448");

        var resolution = await h.ResolveAsync("testserv");

        Assert.Empty(h.Dns.SrvQueries);
        Assert.Equal(["[1::f]:8448"], Endpoints(resolution));
        Assert.Equal("target-server:8448", resolution.HostHeader);
        Assert.Equal("target-server", resolution.TlsName);
    }

    [Fact] // WK-13: CNAMEs are followed by the DNS resolver; Host/TLS stay the delegated name.
    public async Task ResolveAsync_DelegatedNameBehindCname_KeepsDelegatedNameForHostAndTls()
    {
        await using var h = new DiscoveryHarness();
        h.Dns.AddAddresses("matrix.example.com", "9.9.9.9");
        await h.ServeDelegationAsync("testserv", "matrix.example.com");

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(["9.9.9.9:8448"], Endpoints(resolution));
        Assert.Equal("matrix.example.com", resolution.HostHeader);
        Assert.Equal("matrix.example.com", resolution.TlsName);
    }

    [Theory]
    [InlineData("text/plain", "{\"m.server\":\"target-server\"}")] // WK-14
    [InlineData(null, "{\"m.server\":\"target-server\"}")]
    [InlineData("application/json", "{\"m.server\":\"target-server\",\"foo\":[1]}")] // WK-15
    [InlineData("application/json", "\uFEFF{\"m.server\":\"target-server\"}")]
    public async Task ResolveAsync_ContentTypeAndUnknownFields_AreIgnored(string? contentType, string body)
    {
        await using var h = new DiscoveryHarness();
        await h.ServeAsync("testserv", Reply(200, body, contentType: contentType));

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal("target-server", resolution.DelegatedName);
        Assert.Equal(["[1::f]:8448"], Endpoints(resolution));
    }

    [Fact]
    public async Task ResolveAsync_DelegationKeepsCaseAsWritten_DnsAndTlsUseLowerCase()
    {
        await using var h = new DiscoveryHarness();
        await h.ServeDelegationAsync("testserv", "Target-Server");

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal("Target-Server", resolution.HostHeader);
        Assert.Equal("target-server", resolution.TlsName);
        Assert.Equal(["_matrix-fed._tcp.target-server", "_matrix._tcp.target-server"], h.Dns.SrvQueries);
    }
}
