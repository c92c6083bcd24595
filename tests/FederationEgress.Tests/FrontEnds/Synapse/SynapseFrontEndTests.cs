using System.Text;
using System.Text.Json;

namespace FederationEgress.Tests.FrontEnds.Synapse;

/// <summary>
/// Speaks Synapse's outbound federation proxy protocol byte for byte over raw loopback sockets
/// against the real adapter + middleware, asserting what the forwarding endpoint would receive.
/// </summary>
public sealed class SynapseFrontEndTests : IAsyncLifetime
{
    private const string Body = """{"origin":"local.example","pdus":[]}""";
    private const string XMatrix = """X-Matrix origin="local.example",key="ed25519:a_AbCd",sig="c2lnbmF0dXJl",destination="remote.example" """;
    private SynapseTestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await SynapseTestHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    /// <summary>The request exactly as Synapse (Twisted) writes it, with a Content-Length body.</summary>
    internal static string SynapseRequest(
        string method = "PUT",
        string target = "matrix-federation://remote.example/_matrix/federation/v1/send/1700000000000",
        string body = Body,
        string auth = "Proxy-Authorization: Bearer " + SynapseTestHost.Secret + "\r\n",
        string host = "remote.example:80") =>
        $"{method} {target} HTTP/1.1\r\n" +
        $"Host: {host}\r\n" +
        "User-Agent: Synapse/1.120.0\r\n" +
        $"Authorization: {XMatrix.TrimEnd()}\r\n" +
        "Content-Type: application/json\r\n" +
        auth +
        (body.Length > 0 ? $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n" : string.Empty) +
        "\r\n" + body;

    private static EchoedRequest Echo(RawHttpResponse? response)
    {
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        return JsonSerializer.Deserialize<EchoedRequest>(response.Body)!;
    }

    [Fact]
    public async Task SynapseRequest_ExactWireFormat_RewrittenToPathModeWithSynapseProfile()
    {
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);
        await client.SendAsync(SynapseRequest());

        var echo = Echo(await client.ReadResponseAsync());

        Assert.Equal("PUT", echo.Method);
        Assert.Equal("/remote.example/_matrix/federation/v1/send/1700000000000", echo.RawTarget);
        Assert.Equal(Body, echo.Body);
        Assert.Equal("synapse", echo.Profile);
        Assert.Equal(["Authorization", "Content-Type", "User-Agent"], echo.ProfileAllowList);
        Assert.Equal("err", echo.ProfileErrorKey);
        Assert.Contains(echo.Headers, h => h.Key == "Authorization" && h.Value == XMatrix.TrimEnd());
        Assert.Contains(echo.Headers, h => h.Key == "User-Agent" && h.Value == "Synapse/1.120.0");
        Assert.DoesNotContain(echo.Headers, h => h.Key.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("matrix-federation://[::1]:8448/_matrix/key/v2/server", "/[::1]:8448/_matrix/key/v2/server")]
    [InlineData("matrix-federation://remote.example:8448/_matrix/federation/v1/query/profile?user_id=%40a%3Ab&field=displayname", "/remote.example:8448/_matrix/federation/v1/query/profile?user_id=%40a%3Ab&field=displayname")]
    [InlineData("matrix-federation://remote.example/_matrix/media/v3/download/a%2Fb/c%2F..%2Fd", "/remote.example/_matrix/media/v3/download/a%2Fb/c%2F..%2Fd")]
    [InlineData("MATRIX-FEDERATION://1.2.3.4/_matrix/federation/v1/version", "/1.2.3.4/_matrix/federation/v1/version")]
    [InlineData("matrix-federation://remote.example?x=1", "/remote.example/?x=1")]
    [InlineData("matrix-federation://remote.example/_matrix/a.b/...%2E/x?p=../..", "/remote.example/_matrix/a.b/...%2E/x?p=../..")]
    [InlineData("matrix-federation://remote.example/media/%ZZ%2e", "/remote.example/media/%ZZ%2e")]
    [InlineData("matrix-federation://xn--bcher-kva.example/_matrix/federation/v1/version", "/xn--bcher-kva.example/_matrix/federation/v1/version")]
    public async Task Target_VariousAuthoritiesAndEncodings_RewrittenByteForByte(string target, string expected)
    {
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);
        await client.SendAsync(SynapseRequest("GET", target, body: string.Empty));

        var echo = Echo(await client.ReadResponseAsync());

        Assert.Equal(expected, echo.RawTarget);
    }

    [Fact]
    public async Task KeepAlive_ContentLengthChunkedAndEmptyBodies_EveryRequestRewrittenInOrder()
    {
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);

        await client.SendAsync(SynapseRequest(target: "matrix-federation://a.example/_matrix/federation/v1/send/1", body: "first"));
        Assert.Equal("first", Echo(await client.ReadResponseAsync()).Body);

        // Chunked, with a chunk extension, a lower-case size and a trailer: all must be framed correctly.
        await client.SendAsync(
            "PUT matrix-federation://b.example/_matrix/federation/v1/send/2 HTTP/1.1\r\n" +
            "Host: b.example:80\r\nProxy-Authorization: Bearer secret_secret\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "5;name=value\r\nhello\r\na\r\n, chunked!\r\n0\r\nX-Trailer: t\r\n\r\n");
        var chunked = Echo(await client.ReadResponseAsync());
        Assert.Equal("hello, chunked!", chunked.Body);
        Assert.Equal("/b.example/_matrix/federation/v1/send/2", chunked.RawTarget);

        await client.SendAsync(SynapseRequest("GET", "matrix-federation://c.example/_matrix/federation/v1/version", body: string.Empty));
        Assert.Equal("/c.example/_matrix/federation/v1/version", Echo(await client.ReadResponseAsync()).RawTarget);

        await client.SendAsync(SynapseRequest(target: "matrix-federation://d.example/_matrix/federation/v1/send/4", body: "last"));
        Assert.Equal("last", Echo(await client.ReadResponseAsync()).Body);

        Assert.Equal(["a.example", "b.example", "c.example", "d.example"], _host.Seen.Select(s => s.RawTarget.Split('/')[1]));
    }

    [Fact]
    public async Task Pipelining_ThreeRequestsInOneWrite_AnsweredInOrder()
    {
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);
        await client.SendAsync(
            SynapseRequest(target: "matrix-federation://one.example/x", body: "1") +
            "POST matrix-federation://two.example/y HTTP/1.1\r\nHost: two.example:80\r\nProxy-Authorization: Bearer secret_secret\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n22\r\n0\r\n\r\n" +
            SynapseRequest("GET", "matrix-federation://three.example/z", body: string.Empty));

        var first = Echo(await client.ReadResponseAsync());
        var second = Echo(await client.ReadResponseAsync());
        var third = Echo(await client.ReadResponseAsync());

        Assert.Equal(("/one.example/x", "1"), (first.RawTarget, first.Body));
        Assert.Equal(("/two.example/y", "22"), (second.RawTarget, second.Body));
        Assert.Equal(("/three.example/z", string.Empty), (third.RawTarget, third.Body));
    }

    [Fact]
    public async Task ManyRequests_OneKeepAliveConnection_AllServed()
    {
        const int Count = 200;
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);
        for (var i = 0; i < Count; i++)
        {
            await client.SendAsync(SynapseRequest(target: $"matrix-federation://remote.example/_matrix/federation/v1/send/{i}", body: new string('x', i)));
            var echo = Echo(await client.ReadResponseAsync());
            Assert.Equal($"/remote.example/_matrix/federation/v1/send/{i}", echo.RawTarget);
            Assert.Equal(i, echo.Body.Length);
        }
    }

    [Fact]
    public async Task LargeBody_ByteAtATimeHead_StreamedIntact()
    {
        var body = string.Concat(Enumerable.Range(0, 20_000).Select(i => (char)('a' + (i % 26))));
        var bytes = Encoding.ASCII.GetBytes(SynapseRequest(body: body));
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);
        var headLength = bytes.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        for (var i = 0; i < headLength; i++)
        {
            await client.SendAsync([bytes[i]]);
        }

        await client.SendAsync(bytes[headLength..]);

        Assert.Equal(body, Echo(await client.ReadResponseAsync()).Body);
    }

    [Fact]
    public async Task IdenticalDuplicateContentLength_Accepted_SentOnce()
    {
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);
        await client.SendAsync(
            "PUT matrix-federation://remote.example/x HTTP/1.1\r\nHost: remote.example:80\r\nProxy-Authorization: Bearer secret_secret\r\n" +
            "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc");

        var echo = Echo(await client.ReadResponseAsync());

        Assert.Equal("abc", echo.Body);
        Assert.Single(echo.Headers, h => h.Key == "Content-Length");
    }

    [Fact]
    public async Task PlainListener_SameApp_NotTouchedBySynapseMiddleware()
    {
        await using var client = await RawHttpConnection.ConnectAsync(_host.PlainEndPoint);
        await client.SendAsync("GET /remote.example/_matrix/federation/v1/version HTTP/1.1\r\nHost: proxy\r\n\r\n");

        var echo = Echo(await client.ReadResponseAsync());

        Assert.Null(echo.Profile);
        Assert.Equal("/remote.example/_matrix/federation/v1/version", echo.RawTarget);
    }

    [Fact]
    public async Task UpstreamBreaksMidBody_HandlerAborts_ClientConnectionAbortedNotFinished()
    {
        _host.Handler = async context =>
        {
            context.Response.ContentLength = 1000;
            await context.Response.Body.WriteAsync(new byte[10]);
            await context.Response.Body.FlushAsync();
            context.Abort();
        };
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);
        await client.SendAsync(SynapseRequest());

        var error = await Record.ExceptionAsync(client.ReadResponseAsync);

        Assert.True(error is IOException or System.Net.Sockets.SocketException, $"expected the read to fail, got {error?.GetType().Name ?? "a complete response"}");
    }

    [Fact]
    public async Task LargeChunkedBody_ManySmallChunks_StreamedIntactThroughBackpressure()
    {
        var chunk = new string('z', 1000);
        var builder = new StringBuilder(
            "PUT matrix-federation://remote.example/_matrix/federation/v1/send/big HTTP/1.1\r\nHost: remote.example:80\r\n" +
            "Proxy-Authorization: Bearer secret_secret\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (var i = 0; i < 1000; i++)
        {
            builder.Append("3e8;i=").Append(i).Append("\r\n").Append(chunk).Append("\r\n");
        }

        builder.Append("0\r\n\r\n");
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);
        await client.SendAsync(builder.ToString());

        var echo = Echo(await client.ReadResponseAsync());

        Assert.Equal(new string('z', 1_000_000), echo.Body);
    }

    [Fact]
    public async Task ClientClosesMidHead_ConnectionEnds_NothingForwarded()
    {
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);
        await client.SendAsync("PUT matrix-federation://remote.example/_matrix/federation/v1/send/1 HTTP/1.1\r\nHost: remote.ex");
        client.ShutdownSend();

        Assert.True(await client.IsClosedByServerAsync());
        Assert.Empty(_host.Seen);
    }

    [Fact]
    public async Task ClientClosesMidBody_RequestFailsNothingCompleted()
    {
        var failed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _host.Handler = async context =>
        {
            try
            {
                await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
                failed.TrySetResult(null);
            }
            catch (Exception ex)
            {
                failed.TrySetResult(ex);
            }
        };
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);
        await client.SendAsync(SynapseRequest(body: new string('b', 100))[..^50]);
        client.ShutdownSend();

        Assert.NotNull(await failed.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
    }
}
