using System.Net;
using System.Text;
using FederationEgress.Testing.Hosting;
using FederationEgress.Testing.Tls;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace FederationEgress.Tests.Forwarding;

/// <summary>What the remote server sees of a forwarded request (spec steps 1 and 2), asserted on the server side.</summary>
public sealed class PathForwardingTests(TestCaFixture fixture) : IClassFixture<TestCaFixture>
{
    private CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Forward_IPv4LiteralWithPort_HostIsLiteralWithPortAndNoSni()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map(name, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"ok\":true}", await response.Content.ReadAsStringAsync(Ct));
        var seen = Assert.Single(server.Requests);
        Assert.Null(seen.Sni);
        Assert.Equal(name, seen.Host);
        Assert.Equal("GET", seen.Method);
        Assert.Equal("/_matrix/federation/v1/version", seen.RawTarget);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Forward_IPv6LiteralWithPort_HostKeepsBracketsAndNoSni(bool percentEncoded)
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["::1"]), IPAddress.IPv6Loopback);
        var name = $"[::1]:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map(name, server.EndPoint);
        var segment = percentEncoded ? Uri.EscapeDataString(name) : name;

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{segment}/_matrix/key/v2/server");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(server.Requests);
        Assert.Null(seen.Sni);
        Assert.Equal(name, seen.Host);
        Assert.Equal("/_matrix/key/v2/server", seen.RawTarget);
    }

    [Fact]
    public async Task Forward_HostnameWithPort_HostHasPortAndSniIsHostname()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["federation.test"]), IPAddress.Parse("127.0.0.3"));
        var name = $"federation.test:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map(name, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(server.Requests);
        Assert.Equal("federation.test", seen.Sni);
        Assert.Equal(name, seen.Host);
    }

    [Theory]
    [InlineData("127.0.0.17", "127.0.0.17", null)]
    [InlineData("[::1]", "::1", null)]
    [InlineData("noport.test", "127.0.0.18", "noport.test")]
    public async Task Forward_ServerNameWithoutPort_HostHasNoPortAdded(string serverName, string listenAddress, string? expectedSni)
    {
        var address = IPAddress.Parse(listenAddress);
        var san = expectedSni ?? listenAddress;
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate([san]), address);
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map(serverName, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{serverName}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(server.Requests);
        Assert.Equal(serverName, seen.Host);
        Assert.Equal(expectedSni, seen.Sni);
    }

    [Fact]
    public async Task Forward_DelegatedResolution_HostAndSniComeFromResolutionNotServerName()
    {
        // Like step 3b: the homeserver names example.test, discovery delegates to matrix.example.test:port.
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["matrix.example.test"]));
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map("example.test", $"matrix.example.test:{server.Port}", "matrix.example.test", server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, "/example.test/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(server.Requests);
        Assert.Equal("matrix.example.test", seen.Sni);
        Assert.Equal($"matrix.example.test:{server.Port}", seen.Host);
    }

    [Theory]
    [InlineData("/_matrix/federation/v1/send/abc%2Fdef")]
    [InlineData("/_matrix/federation/v1/state/!room%3Aexample.org?event_id=%24ev%3Aexample.org")]
    [InlineData("/_matrix/federation/v1/make_join/%21room%3Aexample.org/%40user%3Aexample.org?ver=1&ver=10")]
    [InlineData("/_matrix/federation/v1/query/profile?user_id=%40a+b%3Ac&field=displayname")]
    [InlineData("/_matrix/federation/v1/x/100%25/a+b/%E2%9C%93/%e2%9c%93")]
    [InlineData("/_matrix/media/v3/download/example.org/abc?allow_redirect=true&timeout_ms=20000")]
    [InlineData("/p;a=1/b,c/~d/$e/'f'/(g)/*h/@i:j?q=a/b?c")]
    [InlineData("//double//slash/")]
    [InlineData("/?")]
    public async Task Forward_PathAndQuery_ArriveByteForByte(string pathAndQuery)
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map(name, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{name}{pathAndQuery}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(pathAndQuery, Assert.Single(server.Requests).RawTarget);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("POST")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task Forward_MethodAndBody_ArriveUnchanged(string method)
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map(name, server.EndPoint);
        var body = "{\"pdus\":[],\"edus\":[{\"type\":\"m.typing\"}]}"u8.ToArray();

        using var response = await proxy.SendAsync(new HttpMethod(method), $"/{name}/_matrix/federation/v1/send/txn1", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(server.Requests);
        Assert.Equal(method, seen.Method);
        Assert.Equal(body, seen.Body);
        Assert.Equal(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), seen.Headers["content-length"]);
    }

    [Fact]
    public async Task Forward_LargeChunkedBody_IsStreamedIntact()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map(name, server.EndPoint);
        var body = new byte[8 * 1024 * 1024 + 17];
        new Random(42).NextBytes(body);

        // No Content-Length: the client sends it chunked, and the proxy must stream it the same way.
        using var content = new StreamContent(new NonSeekableStream(body));
        using var response = await proxy.SendAsync(HttpMethod.Put, $"/{name}/_matrix/federation/v1/send/big", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(server.Requests);
        Assert.Equal(body.Length, seen.Body.Length);
        Assert.True(body.AsSpan().SequenceEqual(seen.Body));
    }

    [Fact]
    public async Task Forward_Headers_EndToEndPassAndProxyOrClientRevealingOnesDoNot()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map(name, server.EndPoint);
        const string auth = "X-Matrix origin=\"origin.example\",destination=\"127.0.0.1\",key=\"ed25519:a_B+c/1\",sig=\"Zm9v+/YmFy==\"";

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version", configure: request =>
        {
            request.Headers.TryAddWithoutValidation("Authorization", auth);
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "10.1.2.3");
            request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "hs.internal");
            request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "http");
            request.Headers.TryAddWithoutValidation("Forwarded", "for=10.1.2.3");
            request.Headers.TryAddWithoutValidation("X-Real-IP", "10.1.2.3");
            request.Headers.TryAddWithoutValidation("Via", "1.1 hs");
            request.Headers.TryAddWithoutValidation("Proxy-Authorization", "Bearer secret");
            request.Headers.TryAddWithoutValidation("Connection", "X-Hop");
            request.Headers.TryAddWithoutValidation("X-Hop", "1");
            request.Headers.TryAddWithoutValidation("X-End-To-End", "kept");
            request.Headers.TryAddWithoutValidation("User-Agent", "Synapse/1.120");
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(server.Requests);
        Assert.Equal(auth, seen.Headers["authorization"]);
        Assert.Equal("kept", seen.Headers["x-end-to-end"]);
        Assert.Equal("Synapse/1.120", seen.Headers["user-agent"]);
        Assert.DoesNotContain(seen.Headers.Keys, h => h.StartsWith("x-forwarded-", StringComparison.OrdinalIgnoreCase));
        foreach (var absent in new[] { "forwarded", "x-real-ip", "via", "proxy-authorization", "x-hop", "traceparent", "tracestate", "request-id" })
        {
            Assert.False(seen.Headers.ContainsKey(absent), $"the remote received '{absent}'");
        }
    }

    [Fact]
    public async Task Forward_DelegatedToIpLiteral_NoSniAndHostIsTheIp()
    {
        // TL-06: delegation to an IP literal with port still sends no SNI; the certificate is checked for the IP.
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.19"]), IPAddress.Parse("127.0.0.19"));
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        var delegated = $"127.0.0.19:{server.Port}";
        proxy.Resolver.Map("delegating.test", delegated, null, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, "/delegating.test/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(server.Requests);
        Assert.Null(seen.Sni);
        Assert.Equal(delegated, seen.Host);
    }

    [Fact]
    public async Task Forward_ConfiguredStripHeader_IsNotForwarded()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: [fixture.TrustSetting, "Forwarding:StripRequestHeaders:0=X-Egress-Token"]);
        proxy.Resolver.Map(name, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version", configure: request =>
        {
            request.Headers.TryAddWithoutValidation("X-Egress-Token", "secret");
            request.Headers.TryAddWithoutValidation("X-Other", "kept");
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(server.Requests);
        Assert.False(seen.Headers.ContainsKey("x-egress-token"));
        Assert.Equal("kept", seen.Headers["x-other"]);
    }

    [Theory]
    [InlineData(404, "M_NOT_FOUND")]
    [InlineData(429, "M_LIMIT_EXCEEDED")]
    [InlineData(500, "M_UNKNOWN")]
    [InlineData(401, "M_UNAUTHORIZED")]
    public async Task Forward_RemoteErrorStatus_PassesThroughWithBodyAndHeaders(int status, string errcode)
    {
        var body = $"{{\"errcode\":\"{errcode}\",\"error\":\"remote says no\"}}";

        // HTTP/1.1 so the remote can send a Connection header (HTTP/2 forbids it).
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]), protocols: HttpProtocols.Http1);
        server.Handler = async context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.Headers["Retry-After"] = "7";
            context.Response.Headers["X-Remote"] = "yes";
            context.Response.Headers["Connection"] = "X-Hop-Response";
            context.Response.Headers["X-Hop-Response"] = "1";
            await context.Response.WriteAsync(body);
        };
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map(name, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/event/%24abc");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("7", Assert.Single(response.Headers.GetValues("Retry-After")));
        Assert.Equal("yes", Assert.Single(response.Headers.GetValues("X-Remote")));
        Assert.False(response.Headers.Contains("X-Hop-Response"));
    }

    [Theory]
    [InlineData(HttpProtocols.Http1AndHttp2, "HTTP/2")]
    [InlineData(HttpProtocols.Http1, "HTTP/1.1")]
    public async Task Forward_RemoteProtocols_Http2WhenOfferedElseHttp11(HttpProtocols offered, string expected)
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]), protocols: offered);
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map(name, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, Assert.Single(server.Requests).Protocol);
    }

    [Fact]
    public async Task Forward_SecondRequest_ReusesPooledConnection()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map(name, server.EndPoint);

        for (var i = 0; i < 3; i++)
        {
            using var response = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsByteArrayAsync(Ct);
        }

        Assert.Equal(3, server.Requests.Count);
        Assert.Equal(1, server.ConnectionCount);
    }

    /// <summary>A read-only stream of unknown length, so HttpClient sends it chunked.</summary>
    private sealed class NonSeekableStream(byte[] data) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 65_536), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
