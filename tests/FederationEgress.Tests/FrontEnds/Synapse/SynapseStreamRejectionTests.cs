using static FederationEgress.Tests.FrontEnds.Synapse.SynapseFrontEndTests;

namespace FederationEgress.Tests.FrontEnds.Synapse;

/// <summary>Malformed streams and smuggling attempts: 400 + close, and nothing smuggled reaches the app.</summary>
public sealed class SynapseStreamRejectionTests : IAsyncLifetime
{
    private const string Auth = "Proxy-Authorization: Bearer secret_secret\r\n";
    private const string Smuggled = "GET matrix-federation://smuggled.example/x HTTP/1.1\r\nHost: s\r\n" + Auth + "\r\n";
    private SynapseTestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await SynapseTestHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string, string> MalformedHeads => new()
    {
        { "CL and TE", "POST matrix-federation://r.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + Smuggled },
        { "TE and CL", "POST matrix-federation://r.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "Transfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n" + Smuggled },
        { "differing CL", "POST matrix-federation://r.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "Content-Length: 0\r\nContent-Length: 60\r\n\r\n" + Smuggled },
        { "CL list", "POST matrix-federation://r.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "Content-Length: 0, 0\r\n\r\n" + Smuggled },
        { "CL sign", "POST matrix-federation://r.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "Content-Length: +0\r\n\r\n" + Smuggled },
        { "TE chunked, identity", "POST matrix-federation://r.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n" + Smuggled },
        { "TE identity", "POST matrix-federation://r.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "Transfer-Encoding: identity\r\n\r\n" + Smuggled },
        { "TE twice", "POST matrix-federation://r.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + Smuggled },
        { "TE xchunked", "POST matrix-federation://r.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "Transfer-Encoding: xchunked\r\n\r\n" + Smuggled },
        { "obs-fold", "POST matrix-federation://r.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "X-A: a\r\n Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n" + Smuggled },
        { "space before colon", "POST matrix-federation://r.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n" + Smuggled },
        { "bare LF in head", "POST matrix-federation://r.example/x HTTP/1.1\r\nHost: r\n" + Auth + "Content-Length: 0\r\n\r\n" + Smuggled },
        { "bare LF request line", "GET matrix-federation://r.example/x HTTP/1.1\nHost: r\r\n" + Auth + "\r\n" },
        { "bare CR in head", "GET matrix-federation://r.example/x HTTP/1.1\r\nHost: r\r\nX-A: a\rContent-Length: 5\r\n" + Auth + "\r\n" },
        { "NUL in value", "GET matrix-federation://r.example/x HTTP/1.1\r\nHost: r\r\nX-A: a\0b\r\n" + Auth + "\r\n" },
        { "origin-form", "GET /r.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "\r\n" },
        { "http scheme", "GET http://r.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "\r\n" },
        { "authority-form", "CONNECT r.example:443 HTTP/1.1\r\nHost: r\r\n" + Auth + "\r\n" },
        { "asterisk-form", "OPTIONS * HTTP/1.1\r\nHost: r\r\n" + Auth + "\r\n" },
        { "empty authority", "GET matrix-federation:///x HTTP/1.1\r\nHost: r\r\n" + Auth + "\r\n" },
        { "userinfo", "GET matrix-federation://u@r.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "\r\n" },
        { "fragment", "GET matrix-federation://r.example/x#f HTTP/1.1\r\nHost: r\r\n" + Auth + "\r\n" },
        { "HTTP/1.0", "GET matrix-federation://r.example/x HTTP/1.0\r\nHost: r\r\n" + Auth + "\r\n" },
        { "extra space", "GET  matrix-federation://r.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "\r\n" },
        { "space in target", "GET matrix-federation://r.example/a b HTTP/1.1\r\nHost: r\r\n" + Auth + "\r\n" },
        { "non-ASCII target", "GET matrix-federation://r.example/\u00e9 HTTP/1.1\r\nHost: r\r\n" + Auth + "\r\n" },
        { "dot-dot segment", "GET matrix-federation://r.example/../evil.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "\r\n" },
        { "encoded dot-dot", "GET matrix-federation://r.example/_matrix/%2e%2E/%2E./x HTTP/1.1\r\nHost: r\r\n" + Auth + "\r\n" },
        { "dot segment last", "GET matrix-federation://r.example/_matrix/. HTTP/1.1\r\nHost: r\r\n" + Auth + "\r\n" },
        { "upgrade", "GET matrix-federation://r.example/x HTTP/1.1\r\nHost: r\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + Auth + "\r\n" },
        { "oversize head", "GET matrix-federation://r.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "X-Big: " + new string('a', 40_000) + "\r\n\r\n" },
        { "oversize no newline", "GET matrix-federation://r.example/" + new string('a', 40_000) },
    };

    [Theory]
    [MemberData(nameof(MalformedHeads))]
    public async Task MalformedHead_AfterValidRequest_ValidAnswered400ThenClosedNothingSmuggled(string name, string malformed)
    {
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);
        await client.SendAsync(SynapseRequest(body: "valid") + malformed);

        var valid = await client.ReadResponseAsync();
        var rejected = await client.ReadResponseAsync();

        Assert.Equal(200, valid!.Status);
        Assert.True(rejected is { Status: 400 }, name);
        Assert.Equal("close", rejected!.Header("Connection"));
        Assert.Contains("\"errcode\":\"M_INVALID_PARAM\"", rejected.BodyText, StringComparison.Ordinal);
        Assert.True(await client.IsClosedByServerAsync(), name);
        Assert.Equal("valid", Assert.Single(_host.Seen).Body);
    }

    [Theory]
    [InlineData("zz\r\n")]
    [InlineData("-1\r\n")]
    [InlineData(" 5\r\n")]
    [InlineData("5 x\r\n")]
    [InlineData("1111111111111111\r\n")]
    [InlineData("5\nhello\r\n0\r\n\r\n")]
    [InlineData("5\r\nhelloXX0\r\n\r\n")]
    [InlineData("5;ext\0\r\nhello\r\n0\r\n\r\n")]
    public async Task InvalidChunkFraming_RequestFailsConnectionClosedNothingSmuggled(string chunks)
    {
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);
        await client.SendAsync(
            "POST matrix-federation://r.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "Transfer-Encoding: chunked\r\n\r\n" + chunks + Smuggled);

        var response = await client.ReadResponseAsync();

        // Kestrel sees the body end early and fails the request itself (400) before closing.
        Assert.True(response is null || response.Status == 400);
        Assert.True(await client.IsClosedByServerAsync());
        Assert.DoesNotContain(_host.Seen, s => s.RawTarget.Contains("smuggled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChunkedBodyContainingRequestText_TreatedAsBody_NotAsSecondRequest()
    {
        var inner = Smuggled;
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);
        await client.SendAsync(
            "POST matrix-federation://r.example/x HTTP/1.1\r\nHost: r\r\n" + Auth + "Transfer-Encoding: chunked\r\n\r\n" +
            $"{inner.Length:x}\r\n{inner}\r\n0\r\n\r\n");

        var response = await client.ReadResponseAsync();

        Assert.Equal(200, response!.Status);
        Assert.Equal(inner, Assert.Single(_host.Seen).Body);
    }

    [Fact]
    public async Task ContentLengthBodyContainingRequestText_TreatedAsBody_NotAsSecondRequest()
    {
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);
        await client.SendAsync(SynapseRequest(body: Smuggled));

        var response = await client.ReadResponseAsync();

        Assert.Equal(200, response!.Status);
        Assert.Equal(Smuggled, Assert.Single(_host.Seen).Body);
    }

    [Fact]
    public async Task LeadingEmptyLine_BeforeRequestLine_Tolerated()
    {
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);
        await client.SendAsync("\r\n" + SynapseRequest(body: "x"));

        Assert.Equal(200, (await client.ReadResponseAsync())!.Status);
    }
}
