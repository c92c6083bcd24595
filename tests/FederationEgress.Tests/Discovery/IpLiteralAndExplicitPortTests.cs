using FederationEgress.Discovery;
using FederationEgress.Testing.Fakes;
using static FederationEgress.Tests.Discovery.DiscoveryHarness;

namespace FederationEgress.Tests.Discovery;

/// <summary>Conformance rows C.1 (IP-*): steps 1 and 2 never touch the well-known or SRV.</summary>
public sealed class IpLiteralAndExplicitPortTests
{
    [Theory]
    [InlineData("1.2.3.4", "1.2.3.4:8448", "1.2.3.4")] // IP-01
    [InlineData("42.42.42.42:443", "42.42.42.42:443", "42.42.42.42:443")] // IP-02
    [InlineData("[::1]", "[::1]:8448", "[::1]")] // IP-03
    [InlineData("[::1]:80", "[::1]:80", "[::1]:80")] // IP-04
    [InlineData("[42:42::42]", "[42:42::42]:8448", "[42:42::42]")]
    public async Task ResolveAsync_IpLiteral_ConnectsToTheIpWithoutSniAndHostAsGiven(string serverName, string endpoint, string host)
    {
        await using var h = new DiscoveryHarness();

        var resolution = await h.ResolveAsync(serverName);

        Assert.Equal(DiscoveryStep.IpLiteral, resolution.Step);
        Assert.Equal([endpoint], Endpoints(resolution));
        Assert.Equal(host, resolution.HostHeader);
        Assert.Null(resolution.TlsName); // certificate for the IP, no SNI (IP-05/06 are checked by the TLS policy)
        Assert.Empty(h.Dns.Queries);
        Assert.Empty(h.Upstream.Connects);
    }

    [Fact] // IP-07, IP-08
    public async Task ResolveAsync_HostnameWithPort_UsesAddressesOnThatPortAndSkipsWellKnownAndSrv()
    {
        await using var h = new DiscoveryHarness();
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", Srv("srvtarget", 8443));
        var wellKnown = await h.ServeDelegationAsync("testserv", "target-server");

        var resolution = await h.ResolveAsync("testserv:8448");

        Assert.Equal(DiscoveryStep.ExplicitPort, resolution.Step);
        Assert.Equal(["1.2.3.4:8448"], Endpoints(resolution));
        Assert.Equal("testserv:8448", resolution.HostHeader);
        Assert.Equal("testserv", resolution.TlsName);
        Assert.Null(resolution.DelegatedName);
        Assert.Equal([new DnsQuery(ScriptedDnsResolver.AddressType, "testserv")], h.Dns.Queries);
        Assert.Empty(wellKnown.Requests);
    }

    [Fact] // IP-09: CNAMEs are followed by the DNS resolver; Host/SNI keep the name.
    public async Task ResolveAsync_HostnameWithPortBehindCname_KeepsTheNameForHostAndTls()
    {
        await using var h = new DiscoveryHarness();
        h.Dns.AddAddresses("example.com", "9.9.9.9");

        var resolution = await h.ResolveAsync("example.com:8448");

        Assert.Equal(["9.9.9.9:8448"], Endpoints(resolution));
        Assert.Equal("example.com:8448", resolution.HostHeader);
        Assert.Equal("example.com", resolution.TlsName);
    }

    [Fact] // IP-10
    public async Task ResolveAsync_ExplicitDefaultPort_IsKeptInHostAndNotAddedWithout()
    {
        await using var h = new DiscoveryHarness();
        h.Refuse("testserv");

        var withPort = await h.ResolveAsync("testserv:8448");
        var without = await h.ResolveAsync("testserv");

        Assert.Equal("testserv:8448", withPort.HostHeader);
        Assert.Equal("testserv", without.HostHeader);
        Assert.Equal(DiscoveryStep.DefaultPort, without.Step);
        Assert.Equal(["1.2.3.4:8448"], Endpoints(without));
    }

    [Fact]
    public async Task ResolveAsync_HostnameWithPortWithoutAddresses_FailsWithNoAddresses()
    {
        await using var h = new DiscoveryHarness();

        var ex = await Assert.ThrowsAsync<FederationEgress.Errors.EgressException>(async () => await h.ResolveAsync("nowhere.example:8448"));

        Assert.Equal(FederationEgress.Errors.EgressErrorKind.NoAddresses, ex.Error.Kind);
        Assert.Contains("nowhere.example", ex.Error.Message);
    }

    [Fact]
    public async Task ResolveAsync_HostnameWithPortAndDnsServerFailure_FailsWithDnsFailed()
    {
        await using var h = new DiscoveryHarness();
        h.Dns.SetAddressStatus("broken.example", FederationEgress.Dns.DnsResultStatus.ServerFailure, "SERVFAIL from 127.0.0.53");

        var ex = await Assert.ThrowsAsync<FederationEgress.Errors.EgressException>(async () => await h.ResolveAsync("broken.example:8448"));

        Assert.Equal(FederationEgress.Errors.EgressErrorKind.DnsFailed, ex.Error.Kind);
        Assert.Equal("dns", ex.Error.Step);
        Assert.Contains("SERVFAIL", ex.Error.Message);
    }
}
