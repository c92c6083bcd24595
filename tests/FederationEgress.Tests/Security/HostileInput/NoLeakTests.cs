using System.Net;
using FederationEgress.Tests.Security.Ssrf;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Fakes;
using FederationEgress.Testing.Hosting;
using FederationEgress.Testing.Logging;
using FederationEgress.Testing.Tls;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Tests.Security.HostileInput;

/// <summary>
/// Nothing leaks: remotes never see client addresses, forwarding chains or the proxy credentials;
/// error bodies never contain the proxy's listener endpoints or secrets; logs never contain the token.
/// </summary>
public sealed class NoLeakTests : IAsyncLifetime
{
    private const string Token = "s3cr3t-T0ken-that-must-never-leak";
    private const string Host = "leak.ssrf.test";
    private readonly TestCertificateAuthority _ca = new();
    private readonly LogCollector _logs = new();
    private ScriptedDnsServer _dns = null!;
    private string _pem = null!;
    private TlsTestServer _remote = null!;
    private RealStackProxy _proxy = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _dns = ScriptedDnsServer.Start();
        _pem = _ca.WritePemFile();
        var address = SsrfAddresses.NextPublic();
        _remote = await TlsTestServer.StartAsync(_ca.IssueServerCertificate([Host]), address);
        _dns.SetSoa("test", minimum: 30).AddA(Host, address.ToString());
        _proxy = await RealStackProxy.StartAsync(
            _dns,
            _pem,
            [SsrfAddresses.PublicRange],
            builder =>
            {
                builder.Logging.AddProvider(_logs);
                builder.Logging.AddFilter<LogCollector>(null, LogLevel.Trace);
            },
            $"ClientAuth:BearerToken={Token}");
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _remote.DisposeAsync();
        await _dns.DisposeAsync();
        File.Delete(_pem);
        _ca.Dispose();
    }

    [Fact]
    public async Task Forward_ClientSendsForwardingHeaders_RemoteSeesNoneOfThemNorTheToken()
    {
        using var response = await _proxy.SendAsync(HttpMethod.Get, $"/{Host}:{_remote.Port}/_matrix/federation/v1/version", configure: request =>
        {
            request.Headers.TryAddWithoutValidation("Proxy-Authorization", $"Bearer {Token}");
            request.Headers.TryAddWithoutValidation("Authorization", "X-Matrix origin=\"hs.test\",key=\"ed25519:1\",sig=\"abc\"");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "10.9.8.7");
            request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "internal.ssrf.test");
            request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "http");
            request.Headers.TryAddWithoutValidation("Forwarded", "for=10.9.8.7;by=10.0.0.1");
            request.Headers.TryAddWithoutValidation("Via", "1.1 internal-proxy");
            request.Headers.TryAddWithoutValidation("X-Real-IP", "10.9.8.7");
            request.Headers.TryAddWithoutValidation("True-Client-IP", "10.9.8.7");
            request.Headers.TryAddWithoutValidation("CF-Connecting-IP", "10.9.8.7");
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(_remote.Requests);
        Assert.Equal("X-Matrix origin=\"hs.test\",key=\"ed25519:1\",sig=\"abc\"", seen.Headers["authorization"]);
        foreach (var name in new[] { "proxy-authorization", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "forwarded", "via", "x-real-ip", "true-client-ip", "cf-connecting-ip" })
        {
            Assert.False(seen.Headers.ContainsKey(name), $"{name} reached the remote");
        }

        var proxyEndPoint = _proxy.ForwardingEndPoint.ToString();
        foreach (var (name, value) in seen.Headers)
        {
            Assert.DoesNotContain(Token, value, StringComparison.Ordinal);
            Assert.DoesNotContain("10.9.8.7", value, StringComparison.Ordinal);
            Assert.DoesNotContain(proxyEndPoint, value, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("connect_failed")]
    [InlineData("address_denied")]
    [InlineData("invalid_server_name")]
    [InlineData("no_addresses")]
    [InlineData("client_unauthorized")]
    public async Task ErrorBody_AnyFailure_NamesNoListenerEndpointAndNoSecret(string kind)
    {
        var closed = LoopbackEndpoints.Closed(SsrfAddresses.NextPublic());
        var target = kind switch
        {
            "connect_failed" => $"/{closed}/_matrix/federation/v1/version",
            "address_denied" => $"/127.0.0.1:{_proxy.ManagementEndPoint.Port}/_matrix/federation/v1/version",
            "invalid_server_name" => "/bad_name/_matrix/federation/v1/version",
            "no_addresses" => "/nowhere.ssrf.test:8448/_matrix/federation/v1/version",
            _ => "/leak.ssrf.test/_matrix/federation/v1/version",
        };

        using var response = await _proxy.SendAsync(HttpMethod.Get, target, configure: request =>
            request.Headers.TryAddWithoutValidation("Proxy-Authorization", kind == "client_unauthorized" ? "Bearer wrong-token" : $"Bearer {Token}"));

        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(kind, ErrorBody.Parse(text).Reason);
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
        Assert.DoesNotContain($":{_proxy.ForwardingEndPoint.Port}", text, StringComparison.Ordinal);
        if (kind != "address_denied")
        {
            // (The address_denied case names the destination the client itself asked for.)
            Assert.DoesNotContain($":{_proxy.ManagementEndPoint.Port}", text, StringComparison.Ordinal);
        }

        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            Assert.DoesNotContain(Token, string.Join(",", header.Value), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Logs_RightAndWrongTokens_NeverContainTheToken()
    {
        using (var ok = await _proxy.SendAsync(HttpMethod.Get, $"/{Host}:{_remote.Port}/_matrix/federation/v1/version", configure: r => r.Headers.TryAddWithoutValidation("Proxy-Authorization", $"Bearer {Token}")))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var wrong = await _proxy.SendAsync(HttpMethod.Get, $"/{Host}:{_remote.Port}/_matrix/federation/v1/version", configure: r => r.Headers.TryAddWithoutValidation("Proxy-Authorization", $"Bearer {Token}x")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using (var failed = await _proxy.SendAsync(HttpMethod.Get, "/nowhere.ssrf.test:8448/_matrix/federation/v1/version", configure: r => r.Headers.TryAddWithoutValidation("Proxy-Authorization", $"Bearer {Token}")))
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }

        Assert.NotEmpty(_logs.Entries);
        Assert.DoesNotContain(_logs.Entries, e => e.FullText.Contains(Token, StringComparison.Ordinal));
    }
}
