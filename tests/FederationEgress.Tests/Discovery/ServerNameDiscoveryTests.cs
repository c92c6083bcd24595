using FederationEgress.Discovery;
using FederationEgress.Testing.Fakes;
using static FederationEgress.Tests.Discovery.DiscoveryHarness;

namespace FederationEgress.Tests.Discovery;

/// <summary>Conformance rows C.6 (NM-01, NM-02, NM-03, NM-08): IDNA names and case.</summary>
public sealed class ServerNameDiscoveryTests
{
    [Theory] // NM-01, NM-03 (this project converts U-labels before any lookup)
    [InlineData("xn--bcher-kva.com")]
    [InlineData("bücher.com")]
    public async Task ResolveAsync_PunycodeName_UsesTheALabelEverywhere(string serverName)
    {
        await using var h = new DiscoveryHarness();
        var wellKnown = await h.ServeAsync("xn--bcher-kva.com", Reply(404, "{}"));

        var resolution = await h.ResolveAsync(serverName);

        // Kestrel reports the SNI in its Unicode form; the ClientHello carried the A-label.
        var idn = new System.Globalization.IdnMapping();
        Assert.Equal("xn--bcher-kva.com", idn.GetAscii(Assert.Single(wellKnown.Requests).Sni!));
        Assert.Equal("xn--bcher-kva.com", idn.GetAscii(wellKnown.Requests[0].Host));
        Assert.Equal(["_matrix-fed._tcp.xn--bcher-kva.com", "_matrix._tcp.xn--bcher-kva.com"], h.Dns.SrvQueries);
        Assert.Equal(["1.2.3.4:8448"], Endpoints(resolution));
        Assert.Equal("xn--bcher-kva.com", resolution.HostHeader);
        Assert.Equal("xn--bcher-kva.com", resolution.TlsName);
    }

    [Theory] // NM-02
    [InlineData("_matrix-fed._tcp.xn--bcher-kva.com")]
    [InlineData("_matrix._tcp.xn--bcher-kva.com")]
    public async Task ResolveAsync_PunycodeSrvTarget_KeepsTheServerNameForHostAndTls(string service)
    {
        await using var h = new DiscoveryHarness();
        h.Refuse("xn--bcher-kva.com");
        h.Dns.AddSrv(service, Srv("xn--trget-3qa.com", 8443)).AddAddresses("xn--trget-3qa.com", "1.2.3.4");

        var resolution = await h.ResolveAsync("xn--bcher-kva.com");

        Assert.Equal(["1.2.3.4:8443"], Endpoints(resolution));
        Assert.Equal("xn--bcher-kva.com", resolution.HostHeader);
        Assert.Equal("xn--bcher-kva.com", resolution.TlsName);
    }

    [Fact] // NM-08
    public async Task ResolveAsync_MixedCaseName_KeepsCaseInHostAndUsesLowerCaseForDnsAndTls()
    {
        await using var h = new DiscoveryHarness();
        h.Dns.AddAddresses("example.com", "9.9.9.9");
        var wellKnown = await h.ServeAsync("example.com", Reply(404, "{}"));

        var resolution = await h.ResolveAsync("Example.COM");

        Assert.Equal("example.com", Assert.Single(wellKnown.Requests).Sni);
        Assert.Equal("Example.COM", resolution.HostHeader);
        Assert.Equal("example.com", resolution.TlsName);
        Assert.All(h.Dns.Queries, q => Assert.Equal(q.Name.ToLowerInvariant(), q.Name));
        Assert.Contains(new DnsQuery(ScriptedDnsResolver.AddressType, "example.com"), h.Dns.Queries);
    }

    [Fact] // NM-08 with port
    public async Task ResolveAsync_MixedCaseNameWithPort_KeepsCaseInHost()
    {
        await using var h = new DiscoveryHarness();
        h.Dns.AddAddresses("example.com", "9.9.9.9");

        var resolution = await h.ResolveAsync("Example.COM:8449");

        Assert.Equal("Example.COM:8449", resolution.HostHeader);
        Assert.Equal("example.com", resolution.TlsName);
        Assert.Equal(["9.9.9.9:8449"], Endpoints(resolution));
    }

    [Fact]
    public async Task ResolveAsync_NamesDifferingOnlyInCase_AreCachedSeparatelyButShareTheWellKnown()
    {
        await using var h = new DiscoveryHarness();
        h.Dns.AddAddresses("example.com", "9.9.9.9");
        var wellKnown = await h.ServeAsync("example.com", Reply(404, "{}"));

        var upper = await h.ResolveAsync("EXAMPLE.com");
        var lower = await h.ResolveAsync("example.com");

        Assert.Equal("EXAMPLE.com", upper.HostHeader);
        Assert.Equal("example.com", lower.HostHeader);
        Assert.Single(wellKnown.Requests);
    }
}
