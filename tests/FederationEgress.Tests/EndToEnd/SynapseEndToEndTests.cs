using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using FederationEgress.Testing.EndToEnd;
using FederationEgress.Tests.FrontEnds;

namespace FederationEgress.Tests.EndToEnd;

/// <summary>
/// Synapse's outbound federation proxy protocol (matrix-federation:// absolute form, Bearer secret)
/// through the real app: raw socket client, real discovery, real remote. Addresses 127.201.7.x
/// belong to this class (each test's Synapse listener on its own 127.201.7.25x).
/// </summary>
public sealed class SynapseEndToEndTests
{
    private const string Secret = "e2e-shared-secret";
    private const string XMatrix = "X-Matrix origin=\"local.example\",key=\"ed25519:a_AbCd\",sig=\"c2ln\",destination=\"remote\"";

    private static readonly string[] SynapseSettings = [$"Synapse:SharedSecret={Secret}"];

    [Fact]
    public async Task KeepAliveConnection_TwoRequests_RemoteSeesOnlyAllowedHeadersBodyAndRawPath()
    {
        await using var bed = FederationTestbed.Create();

        // First destination: explicit port. Second: well-known delegation (full discovery).
        const string first = "synapse-port.e2e7.test";
        var firstRemote = await bed.StartServerAsync("127.201.7.1", 0, first);
        bed.Dns.AddA(first, "127.201.7.1");
        const string second = "synapse-wk.e2e7.test";
        const string delegated = "synapse-delegated.e2e7.test";
        var secondRemote = await bed.StartServerAsync("127.201.7.3", 0, delegated);
        bed.Dns.AddA(delegated, "127.201.7.3");
        var wellKnown = await bed.StartServerAsync("127.201.7.2", 443, second);
        wellKnown.Handler = RemoteHandlers.WellKnown(string.Create(CultureInfo.InvariantCulture, $"{delegated}:{secondRemote.Port}"));
        bed.Dns.AddA(second, "127.201.7.2");
        await bed.StartProxyAsync(synapseAddress: "127.201.7.250", settings: SynapseSettings);
        var firstName = string.Create(CultureInfo.InvariantCulture, $"{first}:{firstRemote.Port}");
        const string body = "{\"origin\":\"local.example\",\"pdus\":[]}";

        await using var client = await RawHttpConnection.ConnectAsync(bed.SynapseEndPoint!);
        await client.SendAsync(Request("PUT", $"matrix-federation://{firstName}/_matrix/federation/v1/send/1", $"{firstName}", body));
        var firstResponse = await client.ReadResponseAsync();
        await client.SendAsync(Request("GET", $"matrix-federation://{second}/_matrix/media/v3/download/a%2Fb?x=%2F", $"{second}:80", string.Empty));
        var secondResponse = await client.ReadResponseAsync();

        Assert.Equal(200, firstResponse!.Status);
        Assert.Equal(200, secondResponse!.Status);

        var put = Assert.Single(firstRemote.Requests);
        Assert.Equal("PUT", put.Method);
        Assert.Equal("/_matrix/federation/v1/send/1", put.RawTarget);
        Assert.Equal(firstName, put.Host);
        Assert.Equal(first, put.Sni);
        Assert.Equal(body, Encoding.UTF8.GetString(put.Body));
        AssertOnlyAllowedHeaders(put.Headers, hasBody: true);

        var get = Assert.Single(secondRemote.Requests);
        Assert.Equal("/_matrix/media/v3/download/a%2Fb?x=%2F", get.RawTarget);
        Assert.Equal($"{delegated}:{secondRemote.Port}", get.Host);
        Assert.Equal(delegated, get.Sni);
        AssertOnlyAllowedHeaders(get.Headers, hasBody: false);
        Assert.Single(wellKnown.Requests);
    }

    [Fact]
    public async Task RemoteResponseWithHopByHopHeaders_ClientSeesNoneOfThem()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "synapse-hop.e2e7.test";
        const string body = "{\"foo\":\"bar\"}";

        // Kestrel would rewrite "Connection: close, X-fOo, ..." to "close": send the bytes ourselves (PX-04).
        await using var remote = CannedTlsServer.Start(IPAddress.Parse("127.201.7.4"), bed.Ca.IssueServerCertificate([name]),
            "HTTP/1.1 200 OK\r\n" +
            "Content-Type: application/json\r\n" +
            "Connection: close, X-fOo, X-Bar, X-baz\r\n" +
            "X-Foo: foo\r\n" +
            "X-Bar: bar\r\n" +
            "x-baZ: baz\r\n" +
            "Proxy-Authorization: abcdef\r\n" +
            "Keep-Alive: timeout=5\r\n" +
            "X-Test: test\r\n" +
            $"Content-Length: {body.Length}\r\n" +
            "\r\n" + body);
        bed.Allow(remote.EndPoint.Address);
        bed.Dns.AddA(name, "127.201.7.4");
        await bed.StartProxyAsync(synapseAddress: "127.201.7.251", settings: SynapseSettings);
        var serverName = string.Create(CultureInfo.InvariantCulture, $"{name}:{remote.EndPoint.Port}");

        await using var client = await RawHttpConnection.ConnectAsync(bed.SynapseEndPoint!);
        await client.SendAsync(Request("GET", $"matrix-federation://{serverName}/foo/bar", serverName, string.Empty));
        var response = await client.ReadResponseAsync();

        Assert.Equal(200, response!.Status);
        Assert.Equal(body, response.BodyText);
        Assert.Equal("test", response.Header("X-Test"));
        Assert.Equal("application/json", response.Header("Content-Type"));
        foreach (var header in new[] { "X-Foo", "X-Bar", "X-Baz", "Proxy-Authorization", "Keep-Alive" })
        {
            Assert.Null(response.Header(header));
        }

        Assert.DoesNotContain(response.Headers, h => h.Name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && h.Value.Contains("x-", StringComparison.OrdinalIgnoreCase));
        Assert.StartsWith("GET /foo/bar HTTP/1.1\r\n", Assert.Single(remote.RequestHeads), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoteRefusesConnection_502WithSynapseErrorBody()
    {
        await using var bed = FederationTestbed.Create();
        var refusing = FederationTestbed.RefusingEndPoint(IPAddress.Parse("127.201.7.5"));
        bed.Allow(refusing.Address);
        await bed.StartProxyAsync(synapseAddress: "127.201.7.252", settings: SynapseSettings);
        var serverName = refusing.ToString();

        await using var client = await RawHttpConnection.ConnectAsync(bed.SynapseEndPoint!);
        await client.SendAsync(Request("PUT", $"matrix-federation://{serverName}/_matrix/federation/v1/send/1", serverName, "{}"));
        var response = await client.ReadResponseAsync();

        Assert.Equal(502, response!.Status);
        Assert.StartsWith("application/json", response.Header("Content-Type"), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(response.Body);
        Assert.Equal("M_UNKNOWN", json.RootElement.GetProperty("errcode").GetString());
        Assert.False(json.RootElement.TryGetProperty("error", out _));
        Assert.StartsWith(
            $"ProxyResource: Error when proxying request: PUT matrix-federation://{serverName}/_matrix/federation/v1/send/1 -> ",
            json.RootElement.GetProperty("err").GetString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongSecret_401AndNothingReachesTheRemote()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "synapse-auth.e2e7.test";
        var remote = await bed.StartServerAsync("127.201.7.6", 0, name);
        bed.Dns.AddA(name, "127.201.7.6");
        await bed.StartProxyAsync(synapseAddress: "127.201.7.253", settings: SynapseSettings);
        var serverName = string.Create(CultureInfo.InvariantCulture, $"{name}:{remote.Port}");

        await using var client = await RawHttpConnection.ConnectAsync(bed.SynapseEndPoint!);
        await client.SendAsync(Request("GET", $"matrix-federation://{serverName}/foo", serverName, string.Empty, secret: "wrong"));
        var response = await client.ReadResponseAsync();

        Assert.Equal(401, response!.Status);
        Assert.Equal("{\"errcode\":\"M_UNAUTHORIZED\",\"err\":\"Invalid Proxy-Authorization header.\"}", response.BodyText);
        Assert.Empty(remote.Requests);
        Assert.Empty(bed.Dns.Queries);
    }

    /// <summary>A request as Synapse writes it (Content-Type only with a body), plus headers the proxy must not forward.</summary>
    private static string Request(string method, string target, string host, string body, string secret = Secret) =>
        $"{method} {target} HTTP/1.1\r\n" +
        $"Host: {host}\r\n" +
        "User-Agent: Synapse/1.120.0\r\n" +
        $"Authorization: {XMatrix}\r\n" +
        (body.Length > 0 ? "Content-Type: application/json\r\n" : string.Empty) +
        $"Proxy-Authorization: Bearer {secret}\r\n" +
        "X-Forwarded-For: 10.1.2.3\r\n" +
        "X-Custom-Tracing: abc\r\n" +
        "Cookie: a=b\r\n" +
        (body.Length > 0 ? $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n" : string.Empty) +
        "\r\n" + body;

    private static void AssertOnlyAllowedHeaders(IReadOnlyDictionary<string, string> headers, bool hasBody)
    {
        string[] allowed = ["host", "user-agent", "authorization", "content-type", "content-length"];
        Assert.All(headers.Keys, k => Assert.Contains(k, allowed));
        Assert.Equal("Synapse/1.120.0", headers["user-agent"]);
        Assert.Equal(XMatrix, headers["authorization"]);
        if (hasBody)
        {
            // Synapse sends Content-Type only with a JSON body.
            Assert.Equal("application/json", headers["content-type"]);
        }
    }
}
