using System.Net;
using System.Net.Sockets;
using FederationEgress.Testing.Hosting;
using FederationEgress.Testing.Tls;
using FederationEgress.Tests.Security;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.Tests.Forwarding;

/// <summary>One access-log line per forwarded request, whatever its outcome.</summary>
public sealed class AccessLogTests(TestCaFixture fixture) : IClassFixture<TestCaFixture>
{
    private const int AccessLogEventId = 7010;

    [Fact]
    public async Task Forward_Success_OneLineWithMethodNameStatusAndEndpoint()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        var name = $"127.0.0.1:{server.Port}";
        var logs = new CapturingLoggerProvider();
        await using var proxy = await StartAsync(logs);
        proxy.Resolver.Map(name, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Put, $"/{name}/_matrix/federation/v1/send/1", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var line = Assert.Single(await logs.WaitForAsync(AccessLogEventId));
        Assert.Contains("PUT", line);
        Assert.Contains(name, line);
        Assert.Contains("200", line);
        Assert.Contains(server.EndPoint.ToString(), line);
    }

    [Theory]
    [InlineData(HttpProtocols.Http1)] // attributed by the write on the request's flow
    [InlineData(HttpProtocols.Http1AndHttp2)] // multiplexed: the destination's latest connection
    public async Task Forward_RequestsOnAPooledConnection_EachLineNamesTheEndpoint(HttpProtocols protocols)
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]), protocols: protocols);
        var name = $"127.0.0.1:{server.Port}";
        var logs = new CapturingLoggerProvider();
        await using var proxy = await StartAsync(logs);
        proxy.Resolver.Map(name, server.EndPoint);

        for (var i = 0; i < 3; i++)
        {
            using var response = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var lines = await logs.WaitForAsync(AccessLogEventId, count: 3);
        Assert.Equal(1, server.ConnectionCount);
        Assert.All(lines, line => Assert.Contains("via " + server.EndPoint, line));
    }

    [Fact]
    public async Task Forward_AllEndpointsRefuse_OneLineWithStatusAndErrorType()
    {
        using var unused = new TcpListener(IPAddress.Loopback, 0);
        unused.Start();
        var refused = (IPEndPoint)unused.LocalEndpoint;
        unused.Stop();
        var name = $"127.0.0.1:{refused.Port}";
        var logs = new CapturingLoggerProvider();
        await using var proxy = await StartAsync(logs);
        proxy.Resolver.Map(name, refused);

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var line = Assert.Single(await logs.WaitForAsync(AccessLogEventId));
        Assert.Contains("502", line);
        Assert.Contains("connect_failed", line);
    }

    [Fact]
    public async Task Forward_InvalidServerName_OneLineWithStatus400()
    {
        var logs = new CapturingLoggerProvider();
        await using var proxy = await StartAsync(logs);

        using var response = await proxy.SendAsync(HttpMethod.Get, "/bad_name/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var line = Assert.Single(await logs.WaitForAsync(AccessLogEventId));
        Assert.Contains("400", line);
        Assert.Contains("invalid_server_name", line);
    }

    private Task<TestProxy> StartAsync(CapturingLoggerProvider logs) =>
        TestProxy.StartAsync(
            resolver: null,
            policy: null,
            configure: builder => logs.AddTo(builder.Logging),
            fixture.TrustSetting);
}
