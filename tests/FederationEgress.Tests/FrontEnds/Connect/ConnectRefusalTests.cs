using System.Net;
using static FederationEgress.Tests.FrontEnds.Connect.ConnectFrontEndTests;

namespace FederationEgress.Tests.FrontEnds.Connect;

/// <summary>Refused CONNECTs: the status and reason, and that the destination saw no connection at all.</summary>
public sealed class ConnectRefusalTests
{
    private static async Task<RawHttpResponse> ConnectAsync(ConnectTestHost host, string head)
    {
        await using var client = await RawHttpConnection.ConnectAsync(host.EndPoint);
        await client.SendAsync(head);
        var response = await client.ReadResponseAsync();
        Assert.NotNull(response);
        Assert.True(await client.IsClosedByServerAsync());
        return response;
    }

    [Fact]
    public async Task InwardIpLiteral_DeniedByPolicy_403AndDestinationSeesNoConnection()
    {
        var inward = UniqueLoopback();
        await using var target = LoopbackEchoServer.Start(inward);
        await using var host = await ConnectTestHost.StartAsync(Ports(target.EndPoint.Port));
        host.Policy.Deny(inward);

        var response = await ConnectAsync(host, $"CONNECT {inward}:{target.EndPoint.Port} HTTP/1.0\r\n\r\n");

        Assert.Equal(403, response.Status);
        Assert.Contains("address_denied", response.BodyText, StringComparison.Ordinal);
        Assert.Contains($"{inward}/32 (inward) is denied", response.BodyText, StringComparison.Ordinal);
        Assert.Equal(0, target.ConnectionCount);
    }

    [Fact]
    public async Task NameResolvingToInwardAddress_DeniedByPolicy_403AndDestinationSeesNoConnection()
    {
        var inward = UniqueLoopback();
        await using var target = LoopbackEchoServer.Start(inward);
        await using var host = await ConnectTestHost.StartAsync(Ports(target.EndPoint.Port));
        host.Policy.Deny(inward);
        host.Dns.Set("rebinding.example", inward);

        var response = await ConnectAsync(host, $"CONNECT rebinding.example:{target.EndPoint.Port} HTTP/1.1\r\nHost: rebinding.example:{target.EndPoint.Port}\r\n\r\n");

        Assert.Equal(403, response.Status);
        Assert.Equal(0, target.ConnectionCount);
    }

    [Fact]
    public async Task NameWithInwardAndOutwardAddresses_OnlyPermittedAddressDialled()
    {
        var inward = UniqueLoopback();
        var outward = UniqueLoopback();
        await using var inwardServer = LoopbackEchoServer.Start(inward);
        await using var outwardServer = LoopbackEchoServer.Start(outward, inwardServer.EndPoint.Port);
        await using var host = await ConnectTestHost.StartAsync(Ports(inwardServer.EndPoint.Port));
        host.Policy.Deny(inward);
        host.Dns.Set("mixed.example", inward, outward);
        await using var client = await TunnelClient.ConnectAsync(host.EndPoint);

        await client.SendAsync($"CONNECT mixed.example:{inwardServer.EndPoint.Port} HTTP/1.0\r\n\r\n");

        Assert.Equal("HTTP/1.1 200 Connection established\r\n\r\n", await client.ReadExactlyAsync(39));
        await client.SendAsync("x");
        Assert.Equal("x", await client.ReadExactlyAsync(1));
        Assert.Equal(0, inwardServer.ConnectionCount);
        Assert.Equal(1, outwardServer.ConnectionCount);
    }

    [Fact]
    public async Task PortNotAllowed_403AndNoConnectionNoDns()
    {
        var address = UniqueLoopback();
        await using var target = LoopbackEchoServer.Start(address);
        await using var host = await ConnectTestHost.StartAsync(new Dictionary<string, string?>());
        host.Dns.Set("remote.example", address);

        var response = await ConnectAsync(host, $"CONNECT remote.example:{target.EndPoint.Port} HTTP/1.0\r\n\r\n");

        Assert.Equal(403, response.Status);
        Assert.Contains($"port {target.EndPoint.Port} is not allowed (allowed: 443, 8448)", response.BodyText, StringComparison.Ordinal);
        Assert.Equal(0, target.ConnectionCount);
        Assert.Empty(host.Dns.Queries);
    }

    [Fact]
    public async Task DestinationCheckDenies_403BeforeDns()
    {
        await using var host = await ConnectTestHost.StartAsync(Ports(8448), h => h == "blocked.example" ? "blocked.example is on the deny list" : null);

        var response = await ConnectAsync(host, "CONNECT Blocked.Example.:8448 HTTP/1.0\r\n\r\n");

        Assert.Equal(403, response.Status);
        Assert.Contains("destination_denied", response.BodyText, StringComparison.Ordinal);
        Assert.Contains("blocked.example is on the deny list", response.BodyText, StringComparison.Ordinal);
        Assert.Empty(host.Dns.Queries);
    }

    [Theory]
    [InlineData(FederationEgress.Dns.DnsResultStatus.ServerFailure, "dns_failed")]
    [InlineData(FederationEgress.Dns.DnsResultStatus.Timeout, "dns_failed")]
    [InlineData(FederationEgress.Dns.DnsResultStatus.NameError, "no_addresses")]
    [InlineData(FederationEgress.Dns.DnsResultStatus.NoData, "no_addresses")]
    public async Task DnsFailure_502WithReason(FederationEgress.Dns.DnsResultStatus status, string reason)
    {
        await using var host = await ConnectTestHost.StartAsync(Ports(8448));
        host.Dns.Fail("broken.example", status);

        var response = await ConnectAsync(host, "CONNECT broken.example:8448 HTTP/1.0\r\n\r\n");

        Assert.Equal(502, response.Status);
        Assert.Contains($"\"reason\":\"{reason}\"", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NothingListening_502ConnectFailed()
    {
        var address = UniqueLoopback();
        int port;
        await using (var closed = LoopbackEchoServer.Start(address))
        {
            port = closed.EndPoint.Port;
        }

        await using var host = await ConnectTestHost.StartAsync(Ports(port));

        var response = await ConnectAsync(host, $"CONNECT {address}:{port} HTTP/1.0\r\n\r\n");

        Assert.Equal(502, response.Status);
        Assert.Contains("connect_failed", response.BodyText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", 407)]
    [InlineData("Proxy-Authorization: Basic dXNlcjp3cm9uZw==\r\n", 407)]
    [InlineData("Proxy-Authorization: Basic dXNlcjpwYXNz\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n", 407)]
    [InlineData("Proxy-Authorization: Bearer pass\r\n", 407)]
    [InlineData("Proxy-Authorization: Basic !!!\r\n", 407)]
    [InlineData("Proxy-Authorization: basic dXNlcjpwYXNz\r\n", 403)]
    public async Task BasicAuthConfigured_MissingOrWrong_407WithChallenge(string authLines, int expected)
    {
        await using var host = await ConnectTestHost.StartAsync(new Dictionary<string, string?> { ["Connect:Username"] = "user", ["Connect:Password"] = "pass" });

        // Port 9 is not allowed: a correct credential gets past auth and is refused with 403 instead.
        var response = await ConnectAsync(host, "CONNECT 127.0.0.1:9 HTTP/1.0\r\n" + authLines + "\r\n");

        Assert.Equal(expected, response.Status);
        if (expected == 407)
        {
            Assert.Equal("Basic realm=\"FederationEgress\"", response.Header("Proxy-Authenticate"));
        }
    }

    [Theory]
    [InlineData("Proxy-Authorization: Bearer t0ken\r\n", 403)]
    [InlineData("Proxy-Authorization: Basic YW55OnQwa2Vu\r\n", 403)]
    [InlineData("Proxy-Authorization: Bearer t0ke\r\n", 407)]
    [InlineData("", 407)]
    public async Task TokenConfigured_BearerOrBasicPassword_Accepted(string authLines, int expected)
    {
        await using var host = await ConnectTestHost.StartAsync(new Dictionary<string, string?> { ["Connect:Token"] = "t0ken" });

        var response = await ConnectAsync(host, "CONNECT 127.0.0.1:9 HTTP/1.0\r\n" + authLines + "\r\n");

        Assert.Equal(expected, response.Status);
    }

    [Theory]
    [InlineData("GET http://remote.example/ HTTP/1.1\r\nHost: remote.example\r\n\r\n", 405)]
    [InlineData("CONNECT remote.example HTTP/1.1\r\nHost: remote.example\r\n\r\n", 400)]
    [InlineData("CONNECT remote.example:0 HTTP/1.0\r\n\r\n", 400)]
    [InlineData("CONNECT remote.example:65536 HTTP/1.0\r\n\r\n", 400)]
    [InlineData("CONNECT [::1:8448 HTTP/1.0\r\n\r\n", 400)]
    [InlineData("CONNECT bad_host!:8448 HTTP/1.0\r\n\r\n", 400)]
    [InlineData("CONNECT remote.example:8448 HTTP/2.0\r\n\r\n", 400)]
    [InlineData("CONNECT remote.example:8448 HTTP/1.1\nHost: x\r\n\r\n", 400)]
    [InlineData("CONNECT remote.example:8448 HTTP/1.1\r\n Host: x\r\n\r\n", 400)]
    [InlineData("CONNECT  remote.example:8448 HTTP/1.1\r\n\r\n", 400)]
    public async Task MalformedOrNonConnect_RefusedAndClosed(string head, int expected)
    {
        await using var host = await ConnectTestHost.StartAsync(Ports(8448));

        var response = await ConnectAsync(host, head);

        Assert.Equal(expected, response.Status);
        Assert.Empty(host.Dns.Queries);
    }

    [Fact]
    public async Task OversizeHead_400()
    {
        await using var host = await ConnectTestHost.StartAsync(Ports(8448));

        var response = await ConnectAsync(host, "CONNECT remote.example:8448 HTTP/1.1\r\nX-Big: " + new string('a', 10_000) + "\r\n\r\n");

        Assert.Equal(400, response.Status);
    }
}
