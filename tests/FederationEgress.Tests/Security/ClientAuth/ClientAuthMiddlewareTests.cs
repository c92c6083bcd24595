using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FederationEgress.Security;
using FederationEgress.Security.ClientAuth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Tests.Security.ClientAuth;

/// <summary>The middleware in an ASP.NET Core pipeline; the terminal handler stands for the forwarder.</summary>
public sealed class ClientAuthMiddlewareTests : IAsyncDisposable
{
    private const string Token = "s3cr3t-token-\u00e9t\u00e9";

    private readonly List<IHeaderDictionary> _forwarded = [];
    private WebApplication? _app;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task<TestServer> StartAsync(params (string Key, string? Value)[] settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.Services.AddEgressSecurity(builder.Configuration);
        _app = builder.Build();
        _app.UseEgressClientAuth();
        _app.Run(context =>
        {
            lock (_forwarded)
            {
                _forwarded.Add(new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value)));
            }

            return context.Response.WriteAsync("forwarded");
        });
        await _app.StartAsync(TestContext.Current.CancellationToken);
        return _app.GetTestServer();
    }

    private static Task<HttpContext> SendAsync(TestServer server, string? clientIp = "127.0.0.1", params (string Name, string Value)[] headers) =>
        server.SendAsync(context =>
        {
            context.Request.Method = "PUT";
            context.Request.Path = "/example.org/_matrix/federation/v1/send/1";
            context.Connection.RemoteIpAddress = clientIp is null ? null : IPAddress.Parse(clientIp);
            context.Request.Headers.Authorization = "X-Matrix origin=\"hs.example\",key=\"ed25519:1\",sig=\"abc\"";
            foreach (var (name, value) in headers)
            {
                context.Request.Headers.Append(name, value);
            }
        }, TestContext.Current.CancellationToken);

    private static async Task<JsonElement> BodyAsync(HttpContext context)
    {
        using var document = await JsonDocument.ParseAsync(context.Response.Body, cancellationToken: TestContext.Current.CancellationToken);
        return document.RootElement.Clone();
    }

    [Fact]
    public async Task Request_NoTokenConfigured_ForwardedWithCredentialsHeaderStripped()
    {
        var server = await StartAsync();

        var context = await SendAsync(server, "10.1.2.3", ("Proxy-Authorization", "Bearer whatever"));

        Assert.Equal(200, context.Response.StatusCode);
        var forwarded = Assert.Single(_forwarded);
        Assert.False(forwarded.ContainsKey("Proxy-Authorization"));
        Assert.StartsWith("X-Matrix", forwarded.Authorization.ToString());
    }

    [Fact]
    public async Task Request_CorrectToken_ForwardedWithoutTokenButWithAuthorization()
    {
        var server = await StartAsync(("ClientAuth:BearerToken", Token));

        var context = await SendAsync(server, headers: ("Proxy-Authorization", $"Bearer {Token}"));

        Assert.Equal(200, context.Response.StatusCode);
        var forwarded = Assert.Single(_forwarded);
        Assert.False(forwarded.ContainsKey("Proxy-Authorization"));
        Assert.Equal("X-Matrix origin=\"hs.example\",key=\"ed25519:1\",sig=\"abc\"", forwarded.Authorization.ToString());
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    public async Task Request_SchemeAnyCase_Accepted(string scheme)
    {
        var server = await StartAsync(("ClientAuth:BearerToken", Token));

        var context = await SendAsync(server, headers: ("Proxy-Authorization", $"{scheme} {Token}"));

        Assert.Equal(200, context.Response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer wrong")]
    [InlineData("Bearer s3cr3t-token-")]
    [InlineData("Basic czNjcjN0")]
    [InlineData(Token)]
    [InlineData("Bearer " + Token + "x")]
    public async Task Request_MissingOrWrongToken_401AndNothingForwarded(string? header)
    {
        var server = await StartAsync(("ClientAuth:BearerToken", Token));

        var context = header is null ? await SendAsync(server) : await SendAsync(server, headers: ("Proxy-Authorization", header));

        Assert.Equal(401, context.Response.StatusCode);
        Assert.Equal("Bearer realm=\"federation-egress\"", context.Response.Headers.WWWAuthenticate.ToString());
        var body = await BodyAsync(context);
        Assert.Equal("M_UNAUTHORIZED", body.GetProperty("errcode").GetString());
        Assert.Equal("client_unauthorized", body.GetProperty("reason").GetString());
        Assert.StartsWith("client-auth: ", body.GetProperty("error").GetString());
        Assert.DoesNotContain("s3cr3t", body.GetRawText());
        Assert.Empty(_forwarded);
    }

    [Fact]
    public async Task Request_TwoCredentialHeaders_401()
    {
        var server = await StartAsync(("ClientAuth:BearerToken", Token));

        var context = await SendAsync(server, "127.0.0.1", ("Proxy-Authorization", $"Bearer {Token}"), ("Proxy-Authorization", $"Bearer {Token}"));

        Assert.Equal(401, context.Response.StatusCode);
        Assert.Empty(_forwarded);
    }

    [Fact]
    public async Task Request_CustomHeader_RawTokenAcceptedAndStripped()
    {
        var server = await StartAsync(("ClientAuth:BearerToken", Token), ("ClientAuth:HeaderName", "X-Egress-Token"));

        var ok = await SendAsync(server, headers: ("X-Egress-Token", Token));
        var proxyAuthIgnored = await SendAsync(server, headers: ("Proxy-Authorization", $"Bearer {Token}"));

        Assert.Equal(200, ok.Response.StatusCode);
        Assert.Equal(401, proxyAuthIgnored.Response.StatusCode);
        Assert.False(Assert.Single(_forwarded).ContainsKey("X-Egress-Token"));
    }

    [Theory]
    [InlineData("127.0.0.5", 200)]
    [InlineData("::ffff:127.0.0.5", 200)]
    [InlineData("10.0.0.0", 200)]
    [InlineData("10.0.0.255", 200)]
    [InlineData("10.0.1.0", 403)]
    [InlineData("192.168.1.1", 403)]
    [InlineData("::1", 403)]
    [InlineData(null, 403)]
    public async Task Request_ClientRange_EnforcedBeforeToken(string? clientIp, int expected)
    {
        var server = await StartAsync(
            ("ClientAuth:AllowedClientRanges:0", "127.0.0.0/8"),
            ("ClientAuth:AllowedClientRanges:1", "10.0.0.0/24"));

        var context = await SendAsync(server, clientIp);

        Assert.Equal(expected, context.Response.StatusCode);
        if (expected == 403)
        {
            var body = await BodyAsync(context);
            Assert.Equal("M_FORBIDDEN", body.GetProperty("errcode").GetString());
            Assert.Equal("client_forbidden", body.GetProperty("reason").GetString());
            Assert.Empty(_forwarded);
        }
    }

    [Fact]
    public async Task Request_ForbiddenClientWithCorrectToken_Still403()
    {
        var server = await StartAsync(("ClientAuth:BearerToken", Token), ("ClientAuth:AllowedClientRanges:0", "127.0.0.0/8"));

        var context = await SendAsync(server, "10.9.9.9", ("Proxy-Authorization", $"Bearer {Token}"));

        Assert.Equal(403, context.Response.StatusCode);
        Assert.Empty(_forwarded);
    }

    [Fact]
    public async Task Kestrel_RealClients_RangeCheckedOnTheSocketAddress()
    {
        // A real listener: the client address comes from the TCP connection, not from anything the client says.
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        const string asciiToken = "kestrel-token-0123";
        builder.Configuration.AddInMemoryCollection([
            new("ClientAuth:AllowedClientRanges:0", "127.0.0.2/32"),
            new("ClientAuth:BearerToken", asciiToken),
        ]);
        builder.Services.AddEgressSecurity(builder.Configuration);
        await using var app = builder.Build();
        app.UseEgressClientAuth();
        app.Run(context => context.Response.WriteAsync(context.Request.Headers.ContainsKey("Proxy-Authorization") ? "leaked" : "clean"));
        await app.StartAsync(TestContext.Current.CancellationToken);
        var port = new Uri(app.Urls.First()).Port;

        async Task<(HttpStatusCode Status, string Body)> SendFrom(string localIp)
        {
            using var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                    socket.Bind(new IPEndPoint(IPAddress.Parse(localIp), 0));
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            };
            using var client = new HttpClient(handler);
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/example.org/x");
            request.Headers.TryAddWithoutValidation("Proxy-Authorization", $"Bearer {asciiToken}");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "127.0.0.2");
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        var allowed = await SendFrom("127.0.0.2");
        var refused = await SendFrom("127.0.0.1");

        Assert.Equal((HttpStatusCode.OK, "clean"), allowed);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
    }
}
