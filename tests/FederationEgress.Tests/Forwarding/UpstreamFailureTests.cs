using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FederationEgress.Errors;
using FederationEgress.Testing.Fakes;
using FederationEgress.Testing.Hosting;
using FederationEgress.Testing.Tls;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace FederationEgress.Tests.Forwarding;

/// <summary>Connect, TLS, policy and timeout failures: status, JSON reason, failover, and what the remote saw.</summary>
public sealed class UpstreamFailureTests(TestCaFixture fixture) : IClassFixture<TestCaFixture>
{
    private CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("wrong-name", "not valid for IP address 127.0.0.1")]
    [InlineData("dns-san-only", "not valid for IP address 127.0.0.1")]
    [InlineData("expired", "expired")]
    [InlineData("untrusted", "trusted CA")]
    public async Task Forward_BadCertificate_Returns502NamingTls(string problem, string expectedReason)
    {
        using var otherCa = new TestCertificateAuthority("Untrusted CA");
        var certificate = problem switch
        {
            "wrong-name" => fixture.Ca.IssueServerCertificate(["127.0.0.2", "other.test"]),
            "dns-san-only" => fixture.Ca.IssueServerCertificate(["localhost"]),
            "expired" => fixture.Ca.IssueServerCertificate(["127.0.0.1"], DateTimeOffset.UtcNow.AddHours(-12), DateTimeOffset.UtcNow.AddHours(-1)),
            _ => otherCa.IssueServerCertificate(["127.0.0.1"]),
        };
        await using var server = await TlsTestServer.StartAsync(certificate);
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map(name, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        var error = await ReadErrorAsync(response, HttpStatusCode.BadGateway, EgressErrorKind.TlsFailed);
        Assert.StartsWith("tls:", error);
        Assert.Contains(expectedReason, error);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Forward_PrivateCaCertificate_FailsWithoutExtraCaAndSucceedsWithIt()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        var name = $"127.0.0.1:{server.Port}";

        await using (var untrusting = await TestProxy.StartAsync())
        {
            untrusting.Resolver.Map(name, server.EndPoint);
            using var rejected = await untrusting.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");
            await ReadErrorAsync(rejected, HttpStatusCode.BadGateway, EgressErrorKind.TlsFailed);
        }

        await using var trusting = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        trusting.Resolver.Map(name, server.EndPoint);
        using var accepted = await trusting.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Forward_EveryAddressDenied_Returns403AndNothingIsDialled()
    {
        var denied = IPAddress.Parse("127.0.0.66");
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.66"]), denied);
        var name = $"127.0.0.66:{server.Port}";
        var policy = RangeAddressPolicy.LoopbackExcept("127.0.0.64/28");
        await using var proxy = await TestProxy.StartAsync(policy: policy, settings: fixture.TrustSetting);
        proxy.Resolver.Map(name, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        var error = await ReadErrorAsync(response, HttpStatusCode.Forbidden, EgressErrorKind.AddressDenied);
        Assert.Contains("127.0.0.66", error);
        Assert.Equal(0, server.ConnectionCount);
        Assert.Contains(denied, policy.Checked);
    }

    [Fact]
    public async Task Forward_FirstEndpointDenied_SecondIsUsed()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["multi.test"]));
        await using var proxy = await TestProxy.StartAsync(policy: RangeAddressPolicy.LoopbackExcept("127.0.0.67/32"), settings: fixture.TrustSetting);
        proxy.Resolver.Map("multi.test:8448", "multi.test:8448", "multi.test", new IPEndPoint(IPAddress.Parse("127.0.0.67"), server.Port), server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, "/multi.test:8448/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("multi.test:8448", Assert.Single(server.Requests).Host);
    }

    [Fact]
    public async Task Forward_FirstEndpointRefuses_FailsOverToSecond()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["failover.test"]));
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map("failover.test:8448", "failover.test:8448", "failover.test", UnusedEndPoint(IPAddress.Loopback), server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Put, "/failover.test:8448/_matrix/federation/v1/send/1", new StringContent("{\"pdus\":[]}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(server.Requests);
        Assert.Equal("{\"pdus\":[]}", System.Text.Encoding.UTF8.GetString(seen.Body));
    }

    [Theory]
    [InlineData("wrong-name")]
    [InlineData("untrusted")]
    public async Task Forward_FirstEndpointFailsTls_FailsOverBeforeSendingAnyRequestByte(string problem)
    {
        using var otherCa = new TestCertificateAuthority("Untrusted CA");
        var bad = problem == "wrong-name"
            ? fixture.Ca.IssueServerCertificate(["someone-else.test"])
            : otherCa.IssueServerCertificate(["tls-failover.test"]);
        await using var badServer = await TlsTestServer.StartAsync(bad, IPAddress.Parse("127.0.0.4"));
        await using var goodServer = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["tls-failover.test"]), IPAddress.Parse("127.0.0.5"));
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map("tls-failover.test", "tls-failover.test", "tls-failover.test", badServer.EndPoint, goodServer.EndPoint);
        var body = new byte[300_000];
        Random.Shared.NextBytes(body);

        using var response = await proxy.SendAsync(HttpMethod.Put, "/tls-failover.test/_matrix/federation/v1/send/2", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(badServer.ConnectionCount >= 1, "the first endpoint was never tried");
        Assert.Empty(badServer.Requests);
        var seen = Assert.Single(goodServer.Requests);
        Assert.Equal("tls-failover.test", seen.Sni);
        Assert.Equal(body, seen.Body);
    }

    [Theory]
    [InlineData(HttpProtocols.Http1AndHttp2)]
    [InlineData(HttpProtocols.Http1)]
    public async Task Forward_ParallelRequestsFirstEndpointFailsTls_AllFailOver(HttpProtocols protocols)
    {
        await using var badServer = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["someone-else.test"]), IPAddress.Parse("127.0.0.20"), protocols: protocols);
        await using var goodServer = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["parallel.test"]), IPAddress.Parse("127.0.0.21"), protocols: protocols);
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map("parallel.test", "parallel.test", "parallel.test", badServer.EndPoint, goodServer.EndPoint);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            proxy.SendAsync(HttpMethod.Put, $"/parallel.test/_matrix/federation/v1/send/p{i}", new StringContent($"{{\"n\":{i}}}"))));

        try
        {
            foreach (var response in responses)
            {
                Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
            }

            Assert.Empty(badServer.Requests);
            Assert.Equal(20, goodServer.Requests.Count);
            Assert.Equal(20, goodServer.Requests.Select(r => r.RawTarget).Distinct().Count());
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task Forward_EveryEndpointRefuses_Returns502NamingTheFirstError()
    {
        var first = UnusedEndPoint(IPAddress.Parse("127.0.0.6"));
        var second = UnusedEndPoint(IPAddress.Parse("127.0.0.7"));
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map("dead.test:8448", "dead.test:8448", "dead.test", first, second);

        using var response = await proxy.SendAsync(HttpMethod.Get, "/dead.test:8448/_matrix/federation/v1/version");

        var error = await ReadErrorAsync(response, HttpStatusCode.BadGateway, EgressErrorKind.ConnectFailed);
        Assert.StartsWith("connect:", error);
        Assert.Contains(first.ToString(), error);
        Assert.Contains("refused", error);
    }

    [Fact]
    public async Task Forward_TlsFailureThenRefused_Returns502NamingTheTlsFailure()
    {
        await using var badServer = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["someone-else.test"]), IPAddress.Parse("127.0.0.8"));
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map("half.test", "half.test", "half.test", badServer.EndPoint, UnusedEndPoint(IPAddress.Parse("127.0.0.9")));

        using var response = await proxy.SendAsync(HttpMethod.Get, "/half.test/_matrix/federation/v1/version");

        var error = await ReadErrorAsync(response, HttpStatusCode.BadGateway, EgressErrorKind.TlsFailed);
        Assert.Contains(badServer.EndPoint.ToString(), error);
        Assert.Contains("not valid for name half.test", error);
    }

    [Fact]
    public async Task Forward_TlsHandshakeStalls_Returns504NamingTls()
    {
        using var stall = new StallingListener(IPAddress.Parse("127.0.0.10"));
        await using var proxy = await TestProxy.StartAsync(settings: [fixture.TrustSetting, "Forwarding:TlsHandshakeTimeoutSeconds=0.5"]);
        proxy.Resolver.Map("stall.test:8448", "stall.test:8448", "stall.test", stall.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, "/stall.test:8448/_matrix/federation/v1/version");

        var error = await ReadErrorAsync(response, HttpStatusCode.GatewayTimeout, EgressErrorKind.Timeout);
        Assert.StartsWith("tls:", error);
        Assert.Contains("TLS handshake", error);
    }

    [Fact]
    public async Task Forward_FirstEndpointStallsTls_FailsOverToSecond()
    {
        using var stall = new StallingListener(IPAddress.Parse("127.0.0.11"));
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["slow.test"]));
        await using var proxy = await TestProxy.StartAsync(settings: [fixture.TrustSetting, "Forwarding:TlsHandshakeTimeoutSeconds=1"]);
        proxy.Resolver.Map("slow.test:8448", "slow.test:8448", "slow.test", stall.EndPoint, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, "/slow.test:8448/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Forward_ConnectNeverCompletes_Returns504NamingConnect()
    {
        using var blackhole = new FullBacklogListener(IPAddress.Parse("127.0.0.15"));
        await using var proxy = await TestProxy.StartAsync(settings: [fixture.TrustSetting, "Forwarding:ConnectTimeoutSeconds=0.5"]);
        proxy.Resolver.Map("blackhole.test:8448", "blackhole.test:8448", "blackhole.test", blackhole.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, "/blackhole.test:8448/_matrix/federation/v1/version");

        var error = await ReadErrorAsync(response, HttpStatusCode.GatewayTimeout, EgressErrorKind.Timeout);
        Assert.StartsWith("connect:", error);
        Assert.Contains(blackhole.EndPoint.ToString(), error);
    }

    [Fact]
    public async Task Forward_FirstConnectNeverCompletes_FailsOverToSecond()
    {
        using var blackhole = new FullBacklogListener(IPAddress.Parse("127.0.0.16"));
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["blackhole2.test"]));
        await using var proxy = await TestProxy.StartAsync(settings: [fixture.TrustSetting, "Forwarding:ConnectTimeoutSeconds=1"]);
        proxy.Resolver.Map("blackhole2.test:8448", "blackhole2.test:8448", "blackhole2.test", blackhole.EndPoint, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, "/blackhole2.test:8448/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Forward_ResponseHeadersTooSlow_Returns504()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        server.Handler = context => Task.Delay(Timeout.Infinite, context.RequestAborted);
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: [fixture.TrustSetting, "Forwarding:ResponseHeadersTimeoutSeconds=1"]);
        proxy.Resolver.Map(name, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        var error = await ReadErrorAsync(response, HttpStatusCode.GatewayTimeout, EgressErrorKind.Timeout);
        Assert.StartsWith("response headers:", error);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Forward_RemoteClosesBeforeHeaders_Returns502AndIsNotReplayed()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        server.Handler = context =>
        {
            context.Abort();
            return Task.CompletedTask;
        };
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map(name, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Put, $"/{name}/_matrix/federation/v1/send/3", new StringContent("{}"));

        await ReadErrorAsync(response, HttpStatusCode.BadGateway, EgressErrorKind.UpstreamProtocolError);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Forward_RemoteResetsMidBody_ClientNeverSeesTruncatedSuccess()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        server.Handler = async context =>
        {
            context.Response.ContentLength = 100_000;
            await context.Response.Body.WriteAsync(new byte[1000]);
            await context.Response.Body.FlushAsync();
            context.Abort();
        };
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map(name, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/media/v3/download/x/y");

        // Either the break is seen before the response starts (502), or the client's read fails:
        // never a "successful" truncated body.
        if (response.StatusCode == HttpStatusCode.OK)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync(Ct));
        }
        else
        {
            await ReadErrorAsync(response, HttpStatusCode.BadGateway, EgressErrorKind.UpstreamProtocolError);
        }
    }

    [Fact]
    public async Task Forward_RemoteStallsMidBody_ClientResponseIsAbortedAfterIdleTimeout()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: [fixture.TrustSetting, "Forwarding:IdleBodyTimeoutSeconds=1"]);
        proxy.Resolver.Map(name, server.EndPoint);

        // Warm up: the idle timeout also bounds a silent wait for headers, so let connection set-up
        // and first-use costs (JIT in a cold test process) happen on requests that answer at once.
        var warm = false;
        for (var i = 0; i < 5 && !warm; i++)
        {
            using var warmUp = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");
            await warmUp.Content.ReadAsByteArrayAsync(Ct);
            warm = warmUp.StatusCode == HttpStatusCode.OK;
        }

        Assert.True(warm, "the proxy never answered a warm-up request");

        server.Handler = async context =>
        {
            context.Response.ContentLength = 10_000;
            await context.Response.Body.WriteAsync(new byte[100], context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        };

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/media/v3/download/slow/body");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task Forward_DiscoveryFails_ReturnsMappedStatusWithResolverReason()
    {
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Fail("broken.test", new EgressError(EgressErrorKind.DnsFailed, "dns", "SERVFAIL from 127.0.0.53 for broken.test"));

        using var response = await proxy.SendAsync(HttpMethod.Get, "/broken.test/_matrix/federation/v1/version");

        var error = await ReadErrorAsync(response, HttpStatusCode.BadGateway, EgressErrorKind.DnsFailed);
        Assert.Equal("dns: SERVFAIL from 127.0.0.53 for broken.test", error);
    }

    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, HttpStatusCode status, EgressErrorKind kind)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(text);
        Assert.Equal(EgressErrorMapper.ErrCode(kind), json.RootElement.GetProperty("errcode").GetString());
        Assert.Equal(EgressErrorMapper.TypeName(kind), json.RootElement.GetProperty("reason").GetString());
        return json.RootElement.GetProperty("error").GetString()!;
    }

    /// <summary>An endpoint nothing listens on (bound once to get a free port, then closed): connecting is refused.</summary>
    private static IPEndPoint UnusedEndPoint(IPAddress address)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address, 0));
        return (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>
    /// A listener that never accepts and whose accept queue is already full, so the kernel drops
    /// further SYNs and a connect hangs (a dead host, but on loopback).
    /// </summary>
    private sealed class FullBacklogListener : IDisposable
    {
        private readonly Socket _listener;
        private readonly List<Socket> _fillers = [];

        public FullBacklogListener(IPAddress address)
        {
            _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            _listener.Bind(new IPEndPoint(address, 0));
            _listener.Listen(0);
            EndPoint = (IPEndPoint)_listener.LocalEndPoint!;

            // Fill the accept queue: connects complete until it is full, then they hang.
            for (var i = 0; i < 4; i++)
            {
                var filler = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                _fillers.Add(filler);
                if (!filler.ConnectAsync(EndPoint).Wait(TimeSpan.FromMilliseconds(200)))
                {
                    break;
                }
            }
        }

        public IPEndPoint EndPoint { get; }

        public void Dispose()
        {
            _fillers.ForEach(s => s.Dispose());
            _listener.Dispose();
        }
    }

    /// <summary>Accepts TCP connections and never says anything (a TLS server that hangs).</summary>
    private sealed class StallingListener : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly List<Socket> _accepted = [];

        public StallingListener(IPAddress address)
        {
            _listener = new TcpListener(address, 0);
            _listener.Start();
            EndPoint = (IPEndPoint)_listener.LocalEndpoint;
            _ = AcceptLoopAsync();
        }

        public IPEndPoint EndPoint { get; }

        public void Dispose()
        {
            _listener.Stop();
            lock (_accepted)
            {
                _accepted.ForEach(s => s.Dispose());
            }
        }

        private async Task AcceptLoopAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync();
                    lock (_accepted)
                    {
                        _accepted.Add(socket);
                    }
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }
    }
}
