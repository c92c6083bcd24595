using System.Text;
using FederationEgress.Discovery;
using FederationEgress.Discovery.WellKnown;
using FederationEgress.Testing.Tls;
using Microsoft.AspNetCore.Http;
using static FederationEgress.Tests.Discovery.DiscoveryHarness;

namespace FederationEgress.Tests.Discovery;

/// <summary>
/// Conformance rows C.3 (WE-*): every well-known failure means "go to step 4", never "fail the
/// request". Common expectation: SRV <c>_matrix-fed._tcp.testserv</c> then <c>_matrix._tcp.testserv</c>
/// (both empty) → 1.2.3.4:8448, Host and TLS name <c>testserv</c>.
/// </summary>
public sealed class WellKnownErrorTests
{
    [Fact] // WE-01
    public async Task ResolveAsync_WellKnownConnectionRefused_FallsBackToStep5AndCachesFailureForAnHour()
    {
        await using var h = new DiscoveryHarness();
        h.Refuse("testserv");

        await AssertFallbackAsync(h);

        var entry = h.WellKnown.Peek("testserv")!;
        Assert.Equal(WellKnownFailure.ConnectError, entry.LastFetch.Failure);
        Assert.Equal(TimeSpan.FromSeconds(3600), entry.ExpiresAt - entry.FetchedAt);
        h.Time.Advance(TimeSpan.FromSeconds(3599));
        await h.ResolveAsync("testserv");
        Assert.Single(h.Upstream.Connects);
        h.Time.Advance(TimeSpan.FromSeconds(2));
        await h.ResolveAsync("testserv");
        Assert.Equal(2, h.Upstream.Connects.Count);
    }

    [Fact] // WE-02
    public async Task ResolveAsync_WellKnown404_IsAPermanentFailureWithOneAttempt()
    {
        await using var h = new DiscoveryHarness();
        var server = await h.ServeAsync("testserv", Reply(404, "{\"errcode\":\"M_NOT_FOUND\"}"));

        await AssertFallbackAsync(h);

        Assert.Single(server.Requests);
        var fetch = h.WellKnown.Peek("testserv")!.LastFetch;
        Assert.Equal(WellKnownOutcome.PermanentFailure, fetch.Outcome);
        Assert.Equal(404, fetch.StatusCode);
    }

    [Theory] // WE-03
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task ResolveAsync_WellKnown5xx_IsATemporaryFailure(int status)
    {
        await using var h = new DiscoveryHarness();
        var server = await h.ServeAsync("testserv", Reply(status, "oops"));

        await AssertFallbackAsync(h);

        Assert.Single(server.Requests); // no retries: the domain never had a valid answer
        var fetch = h.WellKnown.Peek("testserv")!.LastFetch;
        Assert.Equal(WellKnownOutcome.TemporaryFailure, fetch.Outcome);
        Assert.Equal(WellKnownFailure.ServerError, fetch.Failure);
    }

    [Theory]
    [InlineData("NOT JSON", WellKnownFailure.InvalidJson)] // WE-04
    [InlineData("{", WellKnownFailure.InvalidJson)]
    [InlineData("", WellKnownFailure.InvalidJson)]
    [InlineData("{}", WellKnownFailure.MissingServer)] // WE-05
    [InlineData("{\"m.server\": 1234}", WellKnownFailure.InvalidServer)] // WE-06
    [InlineData("{\"m.server\": [\"a\"]}", WellKnownFailure.InvalidServer)]
    [InlineData("{\"m.server\": null}", WellKnownFailure.InvalidServer)]
    [InlineData("{\"m.server\": \"\"}", WellKnownFailure.MissingServer)] // WE-07
    [InlineData("[]", WellKnownFailure.NotAnObject)] // WE-08
    [InlineData("\"x\"", WellKnownFailure.NotAnObject)]
    [InlineData("{\"m.server\": \"https://target\"}", WellKnownFailure.InvalidServer)] // WE-09
    [InlineData("{\"m.server\": \"target/path\"}", WellKnownFailure.InvalidServer)]
    [InlineData("{\"m.server\": \"tar get\"}", WellKnownFailure.InvalidServer)]
    [InlineData("{\"m.server\": \"target:99999\"}", WellKnownFailure.InvalidServer)]
    [InlineData("{\"m.server\": \"[::1\"}", WellKnownFailure.InvalidServer)]
    [InlineData("{\"m.server\": \"target:0\"}", WellKnownFailure.InvalidServer)]
    [InlineData("{\"m.server\": \"b\u00fccher.de\"}", WellKnownFailure.InvalidServer)] // WE-10
    public async Task ResolveAsync_InvalidWellKnownBody_IsAPermanentFailureAndFallsBack(string body, WellKnownFailure failure)
    {
        await using var h = new DiscoveryHarness();
        await h.ServeAsync("testserv", Reply(200, body));

        await AssertFallbackAsync(h);

        var fetch = h.WellKnown.Peek("testserv")!.LastFetch;
        Assert.Equal(WellKnownOutcome.PermanentFailure, fetch.Outcome);
        Assert.Equal(failure, fetch.Failure);
    }

    [Fact] // WE-11
    public async Task ResolveAsync_RedirectOnSameHost_IsFollowedWithTheSameSni()
    {
        await using var h = new DiscoveryHarness();
        var server = await h.ServeAsync("testserv", context =>
            context.Request.Path == "/even_better_known"
                ? Reply(200, "{\"m.server\":\"target-server\"}")(context)
                : Redirect(302, "https://testserv/even_better_known")(context));

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(["/.well-known/matrix/server", "/even_better_known"], server.Requests.Select(r => r.RawTarget));
        Assert.All(server.Requests, r => Assert.Equal("testserv", r.Sni));
        Assert.Equal(["[1::f]:8448"], Endpoints(resolution));
        Assert.Equal("target-server", resolution.HostHeader);
        Assert.Equal(["https://testserv/even_better_known"], h.WellKnown.Peek("testserv")!.LastFetch.Redirects);
    }

    [Fact] // WE-12
    public async Task ResolveAsync_RedirectToAnotherHost_UsesThatHostsSniAndCachesUnderTheServerName()
    {
        await using var h = new DiscoveryHarness();
        var first = await h.ServeAsync("testserv", Redirect(301, "https://wk.other.example/x"));
        var other = await h.ServeDelegationAsync("wk.other.example", "target-server");

        var resolution = await h.ResolveAsync("testserv");
        await h.ResolveAsync("testserv");

        Assert.Single(first.Requests);
        var request = Assert.Single(other.Requests);
        Assert.Equal("wk.other.example", request.Sni);
        Assert.Equal("wk.other.example", request.Host);
        Assert.Equal("/x", request.RawTarget);
        Assert.Equal("target-server", resolution.HostHeader);
        Assert.NotNull(h.WellKnown.Peek("testserv"));
        Assert.Null(h.WellKnown.Peek("wk.other.example"));
    }

    [Theory] // WE-13
    [InlineData(301, true)]
    [InlineData(302, true)]
    [InlineData(303, true)]
    [InlineData(307, true)]
    [InlineData(308, true)]
    [InlineData(300, false)]
    [InlineData(304, false)]
    public async Task ResolveAsync_RedirectStatus_IsFollowedOnlyForTheRedirectCodes(int status, bool followed)
    {
        await using var h = new DiscoveryHarness();
        var server = await h.ServeAsync("testserv", context =>
            context.Request.Path == "/moved"
                ? Reply(200, "{\"m.server\":\"target-server\"}")(context)
                : Redirect(status, "/moved")(context));

        var resolution = await h.ResolveAsync("testserv");

        if (followed)
        {
            Assert.Equal(2, server.Requests.Count);
            Assert.All(server.Requests, r => Assert.Equal("GET", r.Method));
            Assert.Equal("target-server", resolution.DelegatedName);
        }
        else
        {
            Assert.Single(server.Requests);
            Assert.Equal(DiscoveryStep.DefaultPort, resolution.Step);
            Assert.Equal(WellKnownFailure.HttpStatus, h.WellKnown.Peek("testserv")!.LastFetch.Failure);
        }
    }

    [Fact] // WE-14
    public async Task ResolveAsync_RedirectLoop_IsDetectedAndFallsBack()
    {
        await using var h = new DiscoveryHarness();
        var server = await h.ServeAsync("testserv", context =>
            Redirect(302, context.Request.Path == "/a" ? "/.well-known/matrix/server" : "/a")(context));

        await AssertFallbackAsync(h);

        Assert.Equal(2, server.Requests.Count);
        var fetch = h.WellKnown.Peek("testserv")!.LastFetch;
        Assert.Equal(WellKnownFailure.RedirectLoop, fetch.Failure);
        Assert.Equal(WellKnownOutcome.TemporaryFailure, fetch.Outcome);
    }

    [Fact] // WE-14 (limit)
    public async Task ResolveAsync_RedirectChainLongerThanTheLimit_StopsAtTheLimitAndFallsBack()
    {
        await using var h = new DiscoveryHarness();
        var server = await h.ServeAsync("testserv", context =>
        {
            var n = context.Request.Path == "/.well-known/matrix/server" ? 0 : int.Parse(context.Request.Path.Value!.TrimStart('/'));
            return Redirect(307, "/" + (n + 1))(context);
        });

        await AssertFallbackAsync(h);

        Assert.Equal(6, server.Requests.Count); // the original request plus 5 followed redirects
        Assert.Equal(WellKnownFailure.TooManyRedirects, h.WellKnown.Peek("testserv")!.LastFetch.Failure);
    }

    [Fact]
    public async Task ResolveAsync_RedirectChainWithinTheLimit_IsFollowed()
    {
        await using var h = new DiscoveryHarness();
        await h.ServeAsync("testserv", context =>
        {
            var n = context.Request.Path == "/.well-known/matrix/server" ? 0 : int.Parse(context.Request.Path.Value!.TrimStart('/'));
            return n == 5 ? Reply(200, "{\"m.server\":\"target-server\"}")(context) : Redirect(308, "/" + (n + 1))(context);
        });

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal("target-server", resolution.DelegatedName);
        Assert.Equal(5, h.WellKnown.Peek("testserv")!.LastFetch.Redirects.Count);
    }

    [Fact] // WE-15
    public async Task ResolveAsync_RedirectWithoutLocation_FallsBack()
    {
        await using var h = new DiscoveryHarness();
        await h.ServeAsync("testserv", Redirect(302, null));

        await AssertFallbackAsync(h);

        Assert.Equal(WellKnownFailure.InvalidRedirect, h.WellKnown.Peek("testserv")!.LastFetch.Failure);
    }

    [Fact] // WE-16
    public async Task ResolveAsync_RedirectToPlainHttp_IsRefusedWithoutConnecting()
    {
        await using var h = new DiscoveryHarness();
        await h.ServeAsync("testserv", Redirect(302, "http://testserv/.well-known/matrix/server"));

        await AssertFallbackAsync(h);

        Assert.Equal(["testserv:443"], h.Upstream.Connects);
        Assert.Equal(WellKnownFailure.InvalidRedirect, h.WellKnown.Peek("testserv")!.LastFetch.Failure);
    }

    [Theory] // WE-17
    [InlineData(true)]
    [InlineData(false)]
    public async Task ResolveAsync_BodyLargerThanTheLimit_IsATemporaryFailureWithoutRetry(bool declareLength)
    {
        await using var h = new DiscoveryHarness();
        var body = "{\"m.server\":\"" + new string('a', 51_200) + "\"}";
        var server = await h.ServeAsync("testserv", async context =>
        {
            var bytes = Encoding.ASCII.GetBytes(body);
            if (declareLength)
            {
                context.Response.ContentLength = bytes.Length;
            }

            // Several writes so that without Content-Length the body is chunked.
            for (var i = 0; i < bytes.Length; i += 4096)
            {
                await context.Response.Body.WriteAsync(bytes.AsMemory(i, Math.Min(4096, bytes.Length - i)));
                await context.Response.Body.FlushAsync();
            }
        });

        await AssertFallbackAsync(h);

        Assert.Single(server.Requests);
        var fetch = h.WellKnown.Peek("testserv")!.LastFetch;
        Assert.Equal(WellKnownFailure.TooLarge, fetch.Failure);
        Assert.Equal(WellKnownOutcome.TemporaryFailure, fetch.Outcome);
    }

    [Fact]
    public async Task ResolveAsync_BodyExactlyAtTheLimit_IsAccepted()
    {
        await using var h = new DiscoveryHarness();
        var prefix = "{\"m.server\":\"target-server\",\"pad\":\"";
        var body = prefix + new string('a', 51_200 - prefix.Length - 2) + "\"}";
        Assert.Equal(51_200, body.Length);
        await h.ServeAsync("testserv", Reply(200, body));

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal("target-server", resolution.DelegatedName);
    }

    [Fact] // WE-18
    public async Task ResolveAsync_WellKnownCertificateFromUntrustedCa_FallsBackWithoutAnyHttpRequest()
    {
        await using var h = new DiscoveryHarness();
        using var rogue = new TestCertificateAuthority("Rogue CA");
        var server = await h.ServeAsync("testserv", Reply(200, "{\"m.server\":\"target-server\"}"), rogue.IssueServerCertificate(["testserv"]));

        await AssertFallbackAsync(h);

        Assert.Empty(server.Requests);
        Assert.Equal(WellKnownFailure.TlsError, h.WellKnown.Peek("testserv")!.LastFetch.Failure);
    }

    [Theory] // WE-19
    [InlineData("other")]
    [InlineData("1.2.3.4")]
    public async Task ResolveAsync_WellKnownCertificateForAnotherName_FallsBackWithoutAnyHttpRequest(string certificateName)
    {
        await using var h = new DiscoveryHarness();
        var server = await h.ServeAsync("testserv", Reply(200, "{\"m.server\":\"target-server\"}"), h.Ca.IssueServerCertificate([certificateName]));

        await AssertFallbackAsync(h);

        Assert.Empty(server.Requests);
        Assert.Equal(WellKnownFailure.TlsError, h.WellKnown.Peek("testserv")!.LastFetch.Failure);
    }

    [Fact] // WE-20
    public async Task ResolveAsync_WellKnownServerNeverAnswers_TimesOutAfterTheBoundAndFallsBack()
    {
        await using var h = new DiscoveryHarness();
        var silent = h.Silence("testserv");

        var pending = h.ResolveAsync("testserv").AsTask();
        await silent.FirstAccepted.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.False(pending.IsCompleted);
        h.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(pending.IsCompleted);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var resolution = await pending.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        AssertFallback(h, resolution);
        var fetch = h.WellKnown.Peek("testserv")!.LastFetch;
        Assert.Equal(WellKnownFailure.Timeout, fetch.Failure);
        Assert.Equal(WellKnownOutcome.TemporaryFailure, fetch.Outcome);
    }

    [Fact] // WE-21
    public async Task ResolveAsync_WellKnownHostDoesNotResolve_FallsBackAndStillUsesItsSrv()
    {
        await using var h = new DiscoveryHarness();
        h.Dns.AddSrv("_matrix-fed._tcp.testserv", Srv("srvtarget", 8443));

        var resolution = await h.ResolveAsync("testserv");

        Assert.Equal(DiscoveryStep.Srv, resolution.Step);
        Assert.Equal(["5.6.7.8:8443"], Endpoints(resolution));
        Assert.Equal("testserv", resolution.HostHeader);
        Assert.Equal("testserv", resolution.TlsName);
        Assert.Equal(WellKnownFailure.ConnectError, h.WellKnown.Peek("testserv")!.LastFetch.Failure);
    }

    [Fact] // C.7 BL-09: the well-known fetch goes through the egress policy; a denied host is a well-known error
    public async Task ResolveAsync_WellKnownHostDeniedByAddressPolicy_FallsBackNamingThePolicy()
    {
        await using var h = new DiscoveryHarness();
        h.Upstream.Deny("testserv", "10.0.0.5 is in 10.0.0.0/8 (private), denied");

        await AssertFallbackAsync(h);

        var fetch = h.WellKnown.Peek("testserv")!.LastFetch;
        Assert.Equal(WellKnownFailure.ConnectError, fetch.Failure);
        Assert.Contains("10.0.0.0/8", fetch.Message);
    }

    [Fact] // C.7 BL-11: every redirect hop is dialled through the same policy-checked invoker
    public async Task ResolveAsync_RedirectToDeniedAddress_IsBlockedAtConnectAndFallsBack()
    {
        await using var h = new DiscoveryHarness();
        await h.ServeAsync("testserv", Redirect(302, "https://169.254.169.254/latest/meta-data"));
        h.Upstream.Deny("169.254.169.254", "169.254.0.0/16 (link-local) is denied");

        await AssertFallbackAsync(h);

        Assert.Equal(["testserv:443", "169.254.169.254:443"], h.Upstream.Connects);
        Assert.Contains("169.254.0.0/16", h.WellKnown.Peek("testserv")!.LastFetch.Message);
    }

    private static async Task AssertFallbackAsync(DiscoveryHarness h) => AssertFallback(h, await h.ResolveAsync("testserv"));

    private static void AssertFallback(DiscoveryHarness h, Resolution resolution)
    {
        Assert.Equal(DiscoveryStep.DefaultPort, resolution.Step);
        Assert.Equal(["_matrix-fed._tcp.testserv", "_matrix._tcp.testserv"], h.Dns.SrvQueries);
        Assert.Equal(["1.2.3.4:8448"], Endpoints(resolution));
        Assert.Equal("testserv", resolution.HostHeader);
        Assert.Equal("testserv", resolution.TlsName);
        Assert.Null(resolution.DelegatedName);
    }
}
