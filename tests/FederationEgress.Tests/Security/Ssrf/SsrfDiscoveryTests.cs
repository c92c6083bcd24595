using System.Globalization;
using System.Net;
using FederationEgress.Testing.Fakes;
using FederationEgress.Testing.Hosting;
using FederationEgress.Testing.Tls;
using Microsoft.AspNetCore.Http;

namespace FederationEgress.Tests.Security.Ssrf;

/// <summary>
/// SSRF through discovery (C.7 BL-08 to BL-11): SRV targets, well-known delegations and well-known
/// redirects that lead inward, with a "public" remote (an allowed loopback address) beside them.
/// </summary>
public sealed class SsrfDiscoveryTests : IClassFixture<SsrfFixture>
{
    private const string WellKnownPath = "/.well-known/matrix/server";
    private readonly SsrfFixture _fixture;

    public SsrfDiscoveryTests(SsrfFixture fixture)
    {
        _fixture = fixture;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Forward_SrvTargetsMixed_OnlyThePublicTargetIsUsed()
    {
        const string name = "srv-mixed.ssrf.test";
        using var canary = new CanaryListener(IPAddress.Loopback);
        var publicAddress = SsrfAddresses.NextPublic();
        await using var remote = await TlsTestServer.StartAsync(_fixture.Ca.IssueServerCertificate([name]), publicAddress);
        _fixture.Dns
            .AddSrv($"_matrix-fed._tcp.{name}", "srv-in.ssrf.test", (ushort)canary.Port, priority: 10)
            .AddSrv($"_matrix-fed._tcp.{name}", "srv-pub.ssrf.test", (ushort)remote.Port, priority: 20)
            .AddA("srv-in.ssrf.test", "127.0.0.1")
            .AddA("srv-pub.ssrf.test", publicAddress.ToString())
            .AddA(name, publicAddress.ToString()); // nothing on port 443: no well-known

        using var response = await _fixture.Proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(remote.Requests);
        Assert.Equal(name, seen.Host);
        Assert.Equal(0, canary.ConnectionCount);
        Assert.False(_fixture.Proxy.Dialer.Dialled(IPAddress.Loopback));
        Assert.True(_fixture.Proxy.Dialer.Dialled(publicAddress));
    }

    [Fact]
    public async Task Forward_WellKnownDelegatesInward_Is403WithoutFallback()
    {
        const string name = "wk-inward.ssrf.test";
        using var canary = new CanaryListener(IPAddress.Loopback);
        var publicAddress = SsrfAddresses.NextPublic();
        var certificate = _fixture.Ca.IssueServerCertificate([name]);
        await using var wellKnown = await TlsTestServer.StartAsync(certificate, publicAddress, 443);
        await using var fallback = await TlsTestServer.StartAsync(certificate, publicAddress, 8448);
        wellKnown.Handler = context => WriteDelegation(context, $"127.0.0.1:{canary.Port}");
        _fixture.Dns.AddA(name, publicAddress.ToString());

        using var response = await _fixture.Proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await ErrorBody.OfAsync(response);
        Assert.Equal("address_denied", body.Reason);
        Assert.Contains("127.0.0.0/8 (loopback)", body.Error, StringComparison.Ordinal);
        Assert.Single(wellKnown.Requests);
        Assert.Empty(fallback.Requests);
        Assert.Equal(0, canary.ConnectionCount);
        Assert.False(_fixture.Proxy.Dialer.Dialled(IPAddress.Loopback));
    }

    [Fact]
    public async Task Forward_WellKnownDelegatesToNameResolvingToMetadata_Is403AndNeverDialsIt()
    {
        const string name = "wk-metadata.ssrf.test";
        var publicAddress = SsrfAddresses.NextPublic();
        var certificate = _fixture.Ca.IssueServerCertificate([name]);
        await using var wellKnown = await TlsTestServer.StartAsync(certificate, publicAddress, 443);
        wellKnown.Handler = context => WriteDelegation(context, "metadata-delegate.ssrf.test");
        _fixture.Dns.AddA(name, publicAddress.ToString()).AddA("metadata-delegate.ssrf.test", "169.254.169.254");

        using var response = await _fixture.Proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("169.254.0.0/16", (await ErrorBody.OfAsync(response)).Error, StringComparison.Ordinal);
        Assert.False(_fixture.Proxy.Dialer.Dialled(IPAddress.Parse("169.254.169.254")));
    }

    [Theory]
    [InlineData("loopback-literal")]
    [InlineData("metadata-name")]
    public async Task Forward_WellKnownRedirectsInward_IsAWellKnownFailureAndFallsBack(string kind)
    {
        var name = $"wk-redirect-{kind}.ssrf.test";
        using var canary = new CanaryListener(IPAddress.Loopback);
        var publicAddress = SsrfAddresses.NextPublic();
        var certificate = _fixture.Ca.IssueServerCertificate([name]);
        await using var wellKnown = await TlsTestServer.StartAsync(certificate, publicAddress, 443);
        await using var fallback = await TlsTestServer.StartAsync(certificate, publicAddress, 8448);
        var location = kind == "loopback-literal"
            ? $"https://127.0.0.1:{canary.Port}{WellKnownPath}"
            : $"https://redirect-metadata.ssrf.test{WellKnownPath}";
        wellKnown.Handler = context =>
        {
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = location;
            return Task.CompletedTask;
        };
        _fixture.Dns.AddA(name, publicAddress.ToString()).AddA("redirect-metadata.ssrf.test", "169.254.169.254");

        using var response = await _fixture.Proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(wellKnown.Requests);
        var seen = Assert.Single(fallback.Requests);
        Assert.Equal(name, seen.Host);
        Assert.Equal(0, canary.ConnectionCount);
        Assert.False(_fixture.Proxy.Dialer.Dialled(IPAddress.Loopback));
        Assert.False(_fixture.Proxy.Dialer.Dialled(IPAddress.Parse("169.254.169.254")));
        Assert.Contains(_fixture.Logs.Entries, e => e.EventId == 4010 && e.Message.Contains(kind == "loopback-literal" ? "127.0.0.1" : "169.254.169.254", StringComparison.Ordinal));
    }

    private static Task WriteDelegation(HttpContext context, string server)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{{\"m.server\":\"{server}\"}}"));
    }
}
