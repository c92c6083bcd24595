using System.Net;
using System.Text.Json;
using FederationEgress.Diagnostics;
using FederationEgress.Discovery;

namespace FederationEgress.Tests.Diagnostics;

public sealed class DiagnosticJsonTests
{
    [Fact]
    public void Serialize_Report_SnakeCaseNamesEnumsAndAddressesAsStrings()
    {
        var json = DiagnosticJson.Serialize(new SampleReport(
            "bücher.example",
            DiscoveryStep.WellKnownSrv,
            [new IPEndPoint(IPAddress.Parse("2001:db8::1"), 8448), new IPEndPoint(IPAddress.Parse("192.0.2.7"), 443)],
            IPAddress.Parse("192.0.2.53"),
            DelegatedName: null));

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal("well_known_srv", root.GetProperty("discovery_step").GetString());
        Assert.Equal(["[2001:db8::1]:8448", "192.0.2.7:443"], root.GetProperty("endpoints").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("192.0.2.53", root.GetProperty("dns_server").GetString());
        Assert.False(root.TryGetProperty("delegated_name", out _));
        Assert.Contains("\"server_name\": \"bücher.example\"", json);
    }

    [Fact]
    public void Deserialize_Endpoints_RoundTrip()
    {
        var report = new SampleReport("example.org", DiscoveryStep.Srv, [new IPEndPoint(IPAddress.Loopback, 8448)], IPAddress.IPv6Loopback, "m.example.org");

        var back = JsonSerializer.Deserialize<SampleReport>(DiagnosticJson.Serialize(report), DiagnosticJson.Options)!;

        Assert.Equal(report.Endpoints, back.Endpoints);
        Assert.Equal(report.DnsServer, back.DnsServer);
        Assert.Equal(DiscoveryStep.Srv, back.DiscoveryStep);
    }

    private sealed record SampleReport(string ServerName, DiscoveryStep DiscoveryStep, IReadOnlyList<IPEndPoint> Endpoints, IPAddress DnsServer, string? DelegatedName);
}
