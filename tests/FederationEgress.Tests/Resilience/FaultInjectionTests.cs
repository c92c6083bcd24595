using System.Net;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Tls;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace FederationEgress.Tests.Resilience;

/// <summary>
/// Faults injected into real components (scripted DNS server, Kestrel TLS servers, raw sockets) on
/// loopback, seen through the real app: what the homeserver gets, and what the remote saw.
/// </summary>
public sealed class FaultInjectionTests(ResilienceCaFixture fixture) : IClassFixture<ResilienceCaFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WellKnownHostNeverAnswers_FallsBackAfterTheWellKnownTimeout()
    {
        const string name = "stall.resil.test";
        var address = IPAddress.Parse("127.86.2.1");
        using var silent = new SilentListener(address, 443);
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate([name]), address, 8448);
        await using var dns = ScriptedDnsServer.Start();
        dns.AddA(name, "127.86.2.1").SetSoa("resil.test", minimum: 60);
        await using var app = await ResilienceApp.StartAsync(dns, fixture.PemFile, settings: "Discovery:WellKnownTimeoutSeconds=1");

        using var response = await app.GetAsync(name, cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(silent.AcceptedCount >= 1, "the well-known host was never dialled");
        var seen = Assert.Single(server.Requests);
        Assert.Equal(name, seen.Host);
        Assert.Equal(name, seen.Sni);
    }

    [Fact]
    public async Task FirstSrvTargetRefuses_SecondTargetServes()
    {
        const string name = "srv.resil.test";
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate([name]), IPAddress.Parse("127.86.3.2"));
        await using var dns = ScriptedDnsServer.Start();
        dns.SetSoa("resil.test", minimum: 60)
            .AddSrv("_matrix-fed._tcp." + name, "t1.resil.test", (ushort)server.Port, priority: 10)
            .AddSrv("_matrix-fed._tcp." + name, "t2.resil.test", (ushort)server.Port, priority: 20)
            .AddA("t1.resil.test", "127.86.3.1") // nothing listens there: connection refused
            .AddA("t2.resil.test", "127.86.3.2");
        await using var app = await ResilienceApp.StartAsync(dns, fixture.PemFile);

        using var response = await app.GetAsync(name, cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(server.Requests);
        Assert.Equal(name, seen.Host);
        Assert.Equal(name, seen.Sni);
    }

    [Theory]
    [InlineData(HttpProtocols.Http1, true)]
    [InlineData(HttpProtocols.Http1, false)]
    [InlineData(HttpProtocols.Http2, false)]
    public async Task RemoteResetsMidResponse_ClientSeesAnAbortedResponse(HttpProtocols protocols, bool contentLength)
    {
        const string name = "reset.resil.test";
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate([name]), IPAddress.Parse("127.86.4.1"), protocols: protocols);
        var headersSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Handler = async context =>
        {
            if (contentLength)
            {
                context.Response.ContentLength = 100_000;
            }

            await context.Response.Body.WriteAsync(new byte[10_000], context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);

            // Break off only once the client has the headers: a reset before that is a 502, tested elsewhere.
            await headersSeen.Task;
            context.Abort();
        };
        await using var dns = ScriptedDnsServer.Start();
        dns.AddA(name, "127.86.4.1").SetSoa("resil.test", minimum: 60);
        await using var app = await ResilienceApp.StartAsync(dns, fixture.PemFile);

        using var response = await app.GetAsync($"{name}:{server.Port}", cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        headersSeen.SetResult();
        var read = await Record.ExceptionAsync(() => response.Content.ReadAsByteArrayAsync(Ct));
        Assert.IsAssignableFrom<IOException>(read is HttpRequestException { InnerException: { } inner } ? inner : read);
    }

    [Fact]
    public async Task CertificateBecomesInvalid_NewConnectionsFailNamingTls()
    {
        const string name = "cert.resil.test";
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate([name]), IPAddress.Parse("127.86.6.1"), protocols: HttpProtocols.Http1);

        // Every response closes its connection, so the next request needs a new TLS handshake.
        server.Handler = context =>
        {
            context.Response.Headers.Connection = "close";
            return TlsTestServer.DefaultHandler(context);
        };
        await using var dns = ScriptedDnsServer.Start();
        dns.AddA(name, "127.86.6.1").SetSoa("resil.test", minimum: 60);
        await using var app = await ResilienceApp.StartAsync(dns, fixture.PemFile);
        var destination = $"{name}:{server.Port}";
        using (var before = await app.GetAsync(destination, cancellationToken: Ct))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        server.Certificate = fixture.Ca.IssueServerCertificate(["someone-else.resil.test"]);
        using var after = await app.GetAsync(destination, cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.BadGateway, after.StatusCode);
        var (errcode, error, reason) = await ResilienceApp.ReadErrorAsync(after);
        Assert.Equal("tls_failed", reason);
        Assert.Equal("M_UNKNOWN", errcode);
        Assert.StartsWith("tls:", error);
        Assert.Single(server.Requests);
    }
}
