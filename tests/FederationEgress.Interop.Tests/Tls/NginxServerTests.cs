using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using FederationEgress.Testing.Interop;
using FederationEgress.Testing.Tls;

namespace FederationEgress.Interop.Tests.Tls;

/// <summary>The nginx fixture itself: TLS with a test-CA certificate, echo of Host and SNI, scripted locations, access log.</summary>
public sealed class NginxServerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartAsync_EchoesHostAndSniAsSeenByNginx()
    {
        using var ca = new TestCertificateAuthority();
        using var certificate = ca.IssueServerCertificate(["example.test"]);
        await using var nginx = await NginxServer.StartAsync(certificate, cancellationToken: Token);
        using var client = TrustingClient(ca);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(nginx.BaseAddress, "/_matrix/federation/v1/version?x=1"));
        request.Headers.Host = "example.test";

        using var response = await client.SendAsync(request, Token);
        using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("example.test", echo.RootElement.GetProperty("host").GetString());
        Assert.Equal("example.test", echo.RootElement.GetProperty("sni").GetString());
        Assert.Equal("/_matrix/federation/v1/version?x=1", echo.RootElement.GetProperty("uri").GetString());
        var logged = Assert.Single(nginx.Requests);
        Assert.Equal(new NginxRequest("example.test", "example.test", "GET", "/_matrix/federation/v1/version?x=1", 200), logged);
    }

    [Fact]
    public async Task StartAsync_Location_ServesBodyStatusAndHeaders()
    {
        using var ca = new TestCertificateAuthority();
        using var certificate = ca.IssueServerCertificate(["wk.test"]);
        var wellKnown = new NginxLocation("/.well-known/matrix/server", 200, "{\"m.server\": \"delegated.test:443\"}", Headers: new Dictionary<string, string> { ["Cache-Control"] = "max-age=600" });
        var redirect = new NginxLocation("/moved", 302, "https://wk.test/.well-known/matrix/server");
        await using var nginx = await NginxServer.StartAsync(certificate, locations: [wellKnown, redirect], cancellationToken: Token);
        using var client = TrustingClient(ca);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(nginx.BaseAddress, "/.well-known/matrix/server"));
        request.Headers.Host = "wk.test";
        using var response = await client.SendAsync(request, Token);
        using var moved = new HttpRequestMessage(HttpMethod.Get, new Uri(nginx.BaseAddress, "/moved"));
        moved.Headers.Host = "wk.test";
        using var redirected = await client.SendAsync(moved, Token);

        Assert.Equal("{\"m.server\": \"delegated.test:443\"}", await response.Content.ReadAsStringAsync(Token));
        Assert.Equal("max-age=600", response.Headers.CacheControl?.ToString());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Found, redirected.StatusCode);
        Assert.Equal(new Uri("https://wk.test/.well-known/matrix/server"), redirected.Headers.Location);
    }

    [Fact]
    public async Task StartAsync_IPv6Loopback_Serves()
    {
        using var ca = new TestCertificateAuthority();
        using var certificate = ca.IssueServerCertificate(["v6.test"]);
        await using var nginx = await NginxServer.StartAsync(certificate, IPAddress.IPv6Loopback, cancellationToken: Token);
        using var client = TrustingClient(ca);
        using var request = new HttpRequestMessage(HttpMethod.Get, nginx.BaseAddress);
        request.Headers.Host = "v6.test";

        using var response = await client.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("https://[::1]:", nginx.BaseAddress.ToString(), StringComparison.Ordinal);
    }

    private static HttpClient TrustingClient(TestCertificateAuthority ca)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca.Certificate);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                },
            },
        };
        return new HttpClient(handler);
    }
}
