using System.Net;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Hosting;
using FederationEgress.Testing.Logging;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Tests.Security.Ssrf;

/// <summary>
/// Loop protection: even with loopback allowed by <c>IpPolicy:AllowRanges</c>, a destination that
/// resolves to one of the proxy's own listeners is refused (403 loop_detected) and never dialled.
/// </summary>
public sealed class LoopProtectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("forwarding-literal")]
    [InlineData("management-literal")]
    [InlineData("forwarding-by-name")]
    [InlineData("forwarding-mapped-literal")]
    public async Task Forward_DestinationIsOwnListener_Is403LoopDetected(string kind)
    {
        await using var dns = ScriptedDnsServer.Start();
        var logs = new LogCollector();
        await using var proxy = await RealStackProxy.StartAsync(
            dns,
            caPemFile: null,
            ["127.0.0.1/32"],
            builder =>
            {
                builder.Logging.AddProvider(logs);
                builder.Logging.AddFilter<LogCollector>(null, LogLevel.Information);
            });
        var forwarding = proxy.ForwardingEndPoint.Port;
        dns.SetSoa("test", minimum: 30).AddA("self.loop.test", "127.0.0.1");
        var name = kind switch
        {
            "forwarding-literal" => $"127.0.0.1:{forwarding}",
            "management-literal" => $"127.0.0.1:{proxy.ManagementEndPoint.Port}",
            "forwarding-by-name" => $"self.loop.test:{forwarding}",
            _ => $"[::ffff:127.0.0.1]:{forwarding}",
        };

        var response = await RawHttp.SendAsync(proxy.ForwardingEndPoint, "GET", $"/{name}/_matrix/federation/v1/version", Ct);

        Assert.Equal(403, response.StatusCode);
        var body = ErrorBody.Of(response);
        Assert.Equal("loop_detected", body.Reason);
        Assert.Equal("M_FORBIDDEN", body.ErrCode);
        Assert.Empty(proxy.Dialer.Dials);
        Assert.Contains(logs.Entries, e => e.EventId == 4013);

        // Exactly one request reached the forwarding listener: the proxy never called itself.
        Assert.Single(logs.Entries, e => e.EventId == 4013);
    }

    [Fact]
    public async Task Forward_OtherPortOnSameAddress_IsNotALoop()
    {
        await using var dns = ScriptedDnsServer.Start();
        await using var proxy = await RealStackProxy.StartAsync(dns, caPemFile: null, ["127.0.0.1/32"]);
        var closed = FederationEgress.Testing.Fakes.LoopbackEndpoints.Closed(IPAddress.Loopback);

        var response = await RawHttp.SendAsync(proxy.ForwardingEndPoint, "GET", $"/127.0.0.1:{closed.Port}/_matrix/federation/v1/version", Ct);

        Assert.Equal(502, response.StatusCode);
        Assert.Equal("connect_failed", ErrorBody.Of(response).Reason);
        Assert.Contains(proxy.Dialer.Dials, d => d.Port == closed.Port);
    }
}
