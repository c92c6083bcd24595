using System.Net;
using System.Text.Json;
using FederationEgress.Dns.Protocol;
using FederationEgress.Testing.Dns;

namespace FederationEgress.Tests.Diagnostics.Report;

/// <summary>
/// GET /_egress/v1/resolve/{serverName} on the real app, one test per discovery branch, against a
/// scripted DNS server and real TLS well-known servers on this test's own loopback /24.
/// </summary>
public sealed class ResolveEndpointTests
{
    [Fact]
    public async Task Resolve_IpLiteral_ReportsIpLiteralWithoutTlsName()
    {
        await using var world = FederationWorld.Create();
        await world.StartAppAsync();

        var (status, body) = await world.ReportAsync($"{world.Ip(2)}:8449");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("resolved", body.GetProperty("outcome").GetString());
        var step = Assert.Single(body.GetProperty("steps").EnumerateArray());
        Assert.Equal("ip_literal", step.GetProperty("name").GetString());
        var result = body.GetProperty("result");
        Assert.Equal("ip_literal", result.GetProperty("step").GetString());
        Assert.Equal($"{world.Ip(2)}:8449", result.GetProperty("host_header").GetString());
        Assert.False(result.TryGetProperty("tls_name", out _));
        Assert.Equal($"{world.Ip(2)}:8449", Assert.Single(result.GetProperty("endpoints").EnumerateArray()).GetProperty("address").GetString());
        Assert.Empty(world.Dns.Queries);
    }

    [Fact]
    public async Task Resolve_PercentEncodedIpv6Literal_IsDecoded()
    {
        await using var world = FederationWorld.Create();
        await world.StartAppAsync();

        var (status, body) = await world.ReportAsync("%5B%3A%3A1%5D%3A8448");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("[::1]:8448", body.GetProperty("server_name").GetString());
        Assert.Equal("[::1]:8448", body.GetProperty("result").GetProperty("host_header").GetString());
    }

    [Fact]
    public async Task Resolve_ExplicitPort_ReportsAddressStepAndNoWellKnown()
    {
        await using var world = FederationWorld.Create();
        world.Dns.AddA("port.test", world.Ip(3));
        await world.StartAppAsync();

        var (_, body) = await world.ReportAsync("port.test:8449");

        var step = Assert.Single(body.GetProperty("steps").EnumerateArray());
        Assert.Equal("addresses", step.GetProperty("name").GetString());
        Assert.Equal("port.test", step.GetProperty("input").GetString());
        Assert.Equal("success", step.GetProperty("outcome").GetString());
        Assert.Equal([world.Ip(3)], Strings(step.GetProperty("records")));
        Assert.True(step.TryGetProperty("expires_at", out _));
        var result = body.GetProperty("result");
        Assert.Equal("explicit_port", result.GetProperty("step").GetString());
        Assert.Equal("port.test:8449", result.GetProperty("host_header").GetString());
        Assert.Equal("port.test", result.GetProperty("tls_name").GetString());
        Assert.Equal([$"{world.Ip(3)}:8449"], Endpoints(result));
        Assert.Equal(0, world.Dns.QueryCount("port.test", DnsRecordType.SRV));
    }

    [Fact]
    public async Task Resolve_WellKnownExplicitPort_ReportsStatusBodyCacheHeadersAndDelegation()
    {
        await using var world = FederationWorld.Create();
        await world.WellKnownAsync("wk.test", 1, "fed.test:8449", cacheControl: "max-age=3600");
        world.Dns.AddA("fed.test", world.Ip(2));
        await world.StartAppAsync();

        var (_, body) = await world.ReportAsync("wk.test");

        var steps = body.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["well_known", "addresses"], steps.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal("https://wk.test/.well-known/matrix/server", steps[0].GetProperty("input").GetString());
        Assert.Equal("valid", steps[0].GetProperty("outcome").GetString());
        var wellKnown = steps[0].GetProperty("well_known");
        Assert.Equal(200, wellKnown.GetProperty("status").GetInt32());
        Assert.Equal("{\"m.server\":\"fed.test:8449\"}", wellKnown.GetProperty("body").GetString());
        Assert.Equal("max-age=3600", wellKnown.GetProperty("cache_control").GetString());
        Assert.Equal(3600, wellKnown.GetProperty("header_cache_seconds").GetDouble());
        Assert.Equal("fed.test:8449", wellKnown.GetProperty("m_server").GetString());
        Assert.Empty(wellKnown.GetProperty("redirects").EnumerateArray());
        Assert.Equal("fed.test", steps[1].GetProperty("input").GetString());

        var result = body.GetProperty("result");
        Assert.Equal("well_known_explicit_port", result.GetProperty("step").GetString());
        Assert.Equal("fed.test:8449", result.GetProperty("host_header").GetString());
        Assert.Equal("fed.test", result.GetProperty("tls_name").GetString());
        Assert.Equal("fed.test:8449", result.GetProperty("delegated_name").GetString());
        Assert.Equal([$"{world.Ip(2)}:8449"], Endpoints(result));
        Assert.Equal("miss", body.GetProperty("cache").GetString());
        Assert.Equal("fed.test:8449", body.GetProperty("well_known_cache").GetProperty("delegation").GetString());
    }

    [Fact]
    public async Task Resolve_WellKnownIpLiteral_ReportsDelegatedIp()
    {
        await using var world = FederationWorld.Create();
        await world.WellKnownAsync("wkip.test", 1, $"{world.Ip(4)}:8450");
        await world.StartAppAsync();

        var (_, body) = await world.ReportAsync("wkip.test");

        var result = body.GetProperty("result");
        Assert.Equal("well_known_ip_literal", result.GetProperty("step").GetString());
        Assert.Equal($"{world.Ip(4)}:8450", result.GetProperty("host_header").GetString());
        Assert.False(result.TryGetProperty("tls_name", out _));
        Assert.Equal([$"{world.Ip(4)}:8450"], Endpoints(result));
    }

    [Fact]
    public async Task Resolve_WellKnownSrv_ReportsSrvRecordsAndTargetAddresses()
    {
        await using var world = FederationWorld.Create();
        await world.WellKnownAsync("wksrv.test", 1, "deleg.test");
        world.Dns.AddSrv("_matrix-fed._tcp.deleg.test", "target.deleg.test.", 8451, priority: 10, weight: 5);
        world.Dns.AddA("target.deleg.test", world.Ip(5));
        await world.StartAppAsync();

        var (_, body) = await world.ReportAsync("wksrv.test");

        var steps = body.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["well_known", "srv", "addresses"], steps.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal("_matrix-fed._tcp.deleg.test", steps[1].GetProperty("input").GetString());
        Assert.Equal(["10 5 8451 target.deleg.test"], Strings(steps[1].GetProperty("records")));
        Assert.Equal("target.deleg.test", steps[2].GetProperty("input").GetString());
        var result = body.GetProperty("result");
        Assert.Equal("well_known_srv", result.GetProperty("step").GetString());
        Assert.Equal("deleg.test", result.GetProperty("host_header").GetString());
        Assert.Equal("deleg.test", result.GetProperty("tls_name").GetString());
        var endpoint = Assert.Single(result.GetProperty("endpoints").EnumerateArray());
        Assert.Equal($"{world.Ip(5)}:8451", endpoint.GetProperty("address").GetString());
        Assert.Equal("target.deleg.test", endpoint.GetProperty("target").GetString());
    }

    [Fact]
    public async Task Resolve_WellKnownWithoutSrv_ReportsBothSrvNamesThenDefaultPort()
    {
        await using var world = FederationWorld.Create();
        await world.WellKnownAsync("wkdef.test", 1, "plain.test");
        world.Dns.AddA("plain.test", world.Ip(6));
        await world.StartAppAsync();

        var (_, body) = await world.ReportAsync("wkdef.test");

        var steps = body.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["well_known", "srv", "srv", "addresses"], steps.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal("_matrix-fed._tcp.plain.test", steps[1].GetProperty("input").GetString());
        Assert.Equal("_matrix._tcp.plain.test", steps[2].GetProperty("input").GetString());
        Assert.Equal("name_error", steps[1].GetProperty("outcome").GetString());
        var result = body.GetProperty("result");
        Assert.Equal("well_known_default_port", result.GetProperty("step").GetString());
        Assert.Equal([$"{world.Ip(6)}:8448"], Endpoints(result));
    }

    [Fact]
    public async Task Resolve_WellKnownNotFoundAndLegacySrv_ReportsSrvStep()
    {
        await using var world = FederationWorld.Create();
        await world.WellKnownAsync("srv.test", 1, mServer: null);
        world.Dns.AddSrv("_matrix._tcp.srv.test", "host.srv.test", 8452);
        world.Dns.AddA("host.srv.test", world.Ip(7));
        await world.StartAppAsync();

        var (_, body) = await world.ReportAsync("srv.test");

        var steps = body.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal("permanent_failure", steps[0].GetProperty("outcome").GetString());
        Assert.Equal(404, steps[0].GetProperty("well_known").GetProperty("status").GetInt32());
        Assert.Equal("http_status", steps[0].GetProperty("well_known").GetProperty("failure").GetString());
        var result = body.GetProperty("result");
        Assert.Equal("srv", result.GetProperty("step").GetString());
        Assert.Equal("srv.test", result.GetProperty("host_header").GetString());
        Assert.Equal([$"{world.Ip(7)}:8452"], Endpoints(result));
    }

    [Fact]
    public async Task Resolve_NoWellKnownServerNoSrv_ReportsConnectFailureThenDefaultPort()
    {
        await using var world = FederationWorld.Create();
        world.Dns.AddA("default.test", world.Ip(8));
        await world.StartAppAsync();

        var (_, body) = await world.ReportAsync("default.test");

        var steps = body.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal("temporary_failure", steps[0].GetProperty("outcome").GetString());
        Assert.Equal("connect_error", steps[0].GetProperty("well_known").GetProperty("failure").GetString());
        var result = body.GetProperty("result");
        Assert.Equal("default_port", result.GetProperty("step").GetString());
        Assert.Equal("default.test", result.GetProperty("tls_name").GetString());
        Assert.Equal([$"{world.Ip(8)}:8448"], Endpoints(result));
    }

    [Fact]
    public async Task Resolve_ServerFailureOnSrv_ReportsFailureWithErrorTypeAndStatus()
    {
        await using var world = FederationWorld.Create();
        world.Dns.AddA("broken.test", world.Ip(9));
        world.Dns.SetBehavior("_matrix-fed._tcp.broken.test", DnsBehavior.WithResponseCode(DnsResponseCode.ServerFailure));
        await world.StartAppAsync();

        var (status, body) = await world.ReportAsync("broken.test");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("failed", body.GetProperty("outcome").GetString());
        Assert.False(body.TryGetProperty("result", out _));
        var error = body.GetProperty("error");
        Assert.Equal("dns_failed", error.GetProperty("type").GetString());
        Assert.Equal("srv", error.GetProperty("step").GetString());
        Assert.Equal(502, error.GetProperty("status").GetInt32());
        Assert.Contains("_matrix-fed._tcp.broken.test", error.GetProperty("message").GetString());
        Assert.Contains(body.GetProperty("steps").EnumerateArray(), s => s.GetProperty("outcome").GetString() == "server_failure");
    }

    [Theory]
    [InlineData("bad_name.test")]
    [InlineData("%20")]
    [InlineData("example.org:99999")]
    public async Task Resolve_InvalidServerName_Returns400Json(string encoded)
    {
        await using var world = FederationWorld.Create();
        await world.StartAppAsync();

        var (status, body) = await world.ReportAsync(encoded);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_server_name", body.GetProperty("error").GetString());
        Assert.Contains("is not a server name", body.GetProperty("message").GetString());
        Assert.Empty(world.Dns.Queries);
    }

    [Fact]
    public async Task Resolve_InvalidFlag_Returns400Json()
    {
        await using var world = FederationWorld.Create();
        await world.StartAppAsync();

        var (status, body) = await world.ReportAsync("example.test", "?fresh=maybe");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_query", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Resolve_Fresh_DoesNotReadOrPoisonTheCaches()
    {
        await using var world = FederationWorld.Create();
        var wellKnown = await world.WellKnownAsync("fresh.test", 1, "fed.fresh.test:8449");
        world.Dns.AddA("fed.fresh.test", world.Ip(2));
        await world.StartAppAsync();

        var (_, first) = await world.ReportAsync("fresh.test", "?fresh=true");
        Assert.Equal("bypass", first.GetProperty("cache").GetString());
        Assert.False(first.TryGetProperty("well_known_cache", out _));

        // The next normal lookup is a miss that fetches again: the fresh report left nothing behind.
        var (_, second) = await world.ReportAsync("fresh.test");
        Assert.Equal("miss", second.GetProperty("cache").GetString());
        Assert.Equal(2, wellKnown.Requests.Count);

        var (_, third) = await world.ReportAsync("fresh.test");
        Assert.Equal("hit", third.GetProperty("cache").GetString());
        Assert.Equal("cache", Assert.Single(third.GetProperty("steps").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(2, wellKnown.Requests.Count);

        // A fresh report bypasses the cached entry (fetches again) and leaves it in place.
        var (_, fourth) = await world.ReportAsync("fresh.test", "?fresh=true");
        Assert.Equal("bypass", fourth.GetProperty("cache").GetString());
        Assert.Equal(3, wellKnown.Requests.Count);
        var (_, fifth) = await world.ReportAsync("fresh.test");
        Assert.Equal("hit", fifth.GetProperty("cache").GetString());
    }

    [Fact]
    public async Task Resolve_FreshWhileDelegationChanged_ShowsTheNewAnswerWithoutReplacingTheCachedOne()
    {
        await using var world = FederationWorld.Create();
        var mServer = "old.change.test:8449";
        world.Dns.AddA("change.test", world.Ip(1));
        world.Dns.AddA("old.change.test", world.Ip(2));
        world.Dns.AddA("new.change.test", world.Ip(3));
        var server = await world.ServerAsync(1, 443, "change.test");
        server.Handler = context => Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(context.Response, $"{{\"m.server\":\"{mServer}\"}}");
        await world.StartAppAsync();
        await world.ReportAsync("change.test");

        mServer = "new.change.test:8449";
        var (_, fresh) = await world.ReportAsync("change.test", "?fresh=true");
        var (_, cached) = await world.ReportAsync("change.test");

        Assert.Equal("new.change.test:8449", fresh.GetProperty("result").GetProperty("host_header").GetString());
        Assert.Equal("hit", cached.GetProperty("cache").GetString());
        Assert.Equal("old.change.test:8449", cached.GetProperty("result").GetProperty("host_header").GetString());
    }

    [Fact]
    public async Task Resolve_OnForwardingListener_IsNotServed()
    {
        await using var world = FederationWorld.Create();
        world.Dns.AddA("mgmt.test", world.Ip(2));
        await world.StartAppAsync();

        using var client = FederationWorld.CreateClient();
        using var response = await client.GetAsync($"http://{world.ForwardingEndPoint}/_egress/v1/resolve/mgmt.test", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("\"steps\"", text);
        Assert.Empty(world.Dns.Queries);
    }

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    private static string[] Endpoints(JsonElement result) =>
        result.GetProperty("endpoints").EnumerateArray().Select(e => e.GetProperty("address").GetString()!).ToArray();
}
