using System.Globalization;
using System.Net;
using FederationEgress.Dns.Protocol;
using FederationEgress.Testing.EndToEnd;
using FederationEgress.Testing.Tls;

namespace FederationEgress.Tests.EndToEnd;

/// <summary>
/// Spec step 3 (well-known delegation, branches 3a-3d) through the whole pipeline: the well-known
/// server listens on a unique 127.201.2.x:443 whose A record the scripted DNS serves. Addresses
/// 127.201.2.x belong to this class.
/// </summary>
public sealed class WellKnownDelegationEndToEndTests
{
    private const string Path = "/_matrix/federation/v1/query/profile?user_id=%40a%3Ab&field=displayname";

    [Fact]
    public async Task DelegatedIpLiteralWithPort_Branch3a_NoSniHostIsDelegatedIp()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "wk3a.e2e2.test";
        var target = await bed.StartServerAsync("127.201.2.2", 0, "127.201.2.2");
        var delegated = $"127.201.2.2:{target.Port}";
        var wellKnown = await StartWellKnownAsync(bed, name, "127.201.2.1", delegated);
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}{Path}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertWellKnownFetch(wellKnown, name);
        var seen = Assert.Single(target.Requests);
        Assert.Null(seen.Sni);
        Assert.Equal(delegated, seen.Host);
        Assert.Equal(Path, seen.RawTarget);
        Assert.Equal(target.Port, seen.LocalPort);
    }

    [Fact]
    public async Task DelegatedHostnameWithPort_Branch3b_HostHasPortSniIsDelegatedName()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "wk3b.e2e2.test";
        const string delegatedHost = "delegated-3b.e2e2.test";
        var target = await bed.StartServerAsync("127.201.2.4", 0, delegatedHost);
        bed.Dns.AddA(delegatedHost, "127.201.2.4");
        var delegated = string.Create(CultureInfo.InvariantCulture, $"{delegatedHost}:{target.Port}");
        var wellKnown = await StartWellKnownAsync(bed, name, "127.201.2.3", delegated);
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}{Path}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertWellKnownFetch(wellKnown, name);
        var seen = Assert.Single(target.Requests);
        Assert.Equal(delegatedHost, seen.Sni);
        Assert.Equal(delegated, seen.Host);
        Assert.Equal(Path, seen.RawTarget);

        // Explicit port: no SRV for the delegated name.
        Assert.Equal(0, bed.Dns.QueryCount("_matrix-fed._tcp." + delegatedHost));
    }

    [Fact]
    public async Task DelegatedHostname_FedSrv_Branch3c_HostAndSniAreDelegatedNameNotSrvTarget()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "wk3c.e2e2.test";
        const string delegatedHost = "delegated-3c.e2e2.test";
        const string srvTarget = "srv-target-3c.e2e2.test";

        // The certificate covers only the delegated name: the SRV target must never be the TLS name.
        var target = await bed.StartServerAsync("127.201.2.6", 0, delegatedHost);
        bed.Dns.AddSrv("_matrix-fed._tcp." + delegatedHost, srvTarget, (ushort)target.Port);
        bed.Dns.AddSrv("_matrix._tcp." + delegatedHost, "legacy-never.e2e2.test", 1);
        bed.Dns.AddA(srvTarget, "127.201.2.6");
        var wellKnown = await StartWellKnownAsync(bed, name, "127.201.2.5", delegatedHost);
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}{Path}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertWellKnownFetch(wellKnown, name);
        var seen = Assert.Single(target.Requests);
        Assert.Equal(delegatedHost, seen.Sni);
        Assert.Equal(delegatedHost, seen.Host);
        Assert.Equal(target.Port, seen.LocalPort);

        // MSC4040: _matrix-fed records exist, so the legacy name is never asked; one delegation hop:
        // the delegated name's own well-known (its A/AAAA) is never looked up.
        Assert.Equal(0, bed.Dns.QueryCount("_matrix._tcp." + delegatedHost));
        Assert.Equal(0, bed.Dns.QueryCount(delegatedHost, DnsRecordType.A));
    }

    [Fact]
    public async Task DelegatedHostname_OnlyLegacySrv_Branch3c_LegacyAskedAfterFedNxdomain()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "wk3cl.e2e2.test";
        const string delegatedHost = "delegated-3cl.e2e2.test";
        const string srvTarget = "srv-target-3cl.e2e2.test";
        var target = await bed.StartServerAsync("127.201.2.8", 0, delegatedHost);
        bed.Dns.AddSrv("_matrix._tcp." + delegatedHost, srvTarget, (ushort)target.Port);
        bed.Dns.AddA(srvTarget, "127.201.2.8");
        var wellKnown = await StartWellKnownAsync(bed, name, "127.201.2.7", delegatedHost);
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}{Path}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertWellKnownFetch(wellKnown, name);
        var seen = Assert.Single(target.Requests);
        Assert.Equal(delegatedHost, seen.Sni);
        Assert.Equal(delegatedHost, seen.Host);
        var srvQuestions = bed.Dns.Queries.Where(q => q.Type == DnsRecordType.SRV).Select(q => q.Name.ToLowerInvariant()).ToList();
        Assert.Equal(["_matrix-fed._tcp." + delegatedHost, "_matrix._tcp." + delegatedHost], srvQuestions);
    }

    [Fact]
    public async Task DelegatedHostname_NoSrv_Branch3d_Port8448HostAndSniDelegatedName()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "wk3d.e2e2.test";
        const string delegatedHost = "delegated-3d.e2e2.test";
        var target = await bed.StartServerAsync("127.201.2.10", 8448, delegatedHost);
        bed.Dns.AddA(delegatedHost, "127.201.2.10");
        var wellKnown = await StartWellKnownAsync(bed, name, "127.201.2.9", delegatedHost);
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}{Path}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertWellKnownFetch(wellKnown, name);
        var seen = Assert.Single(target.Requests);
        Assert.Equal(delegatedHost, seen.Sni);
        Assert.Equal(delegatedHost, seen.Host);
        Assert.Equal(8448, seen.LocalPort);
        Assert.Equal(1, bed.Dns.QueryCount("_matrix-fed._tcp." + delegatedHost));
        Assert.Equal(1, bed.Dns.QueryCount("_matrix._tcp." + delegatedHost));
    }

    [Fact]
    public async Task SecondRequest_WellKnownCached_NoSecondFetch()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "wkcache.e2e2.test";
        const string delegatedHost = "delegated-cache.e2e2.test";
        var target = await bed.StartServerAsync("127.201.2.12", 0, delegatedHost);
        bed.Dns.AddA(delegatedHost, "127.201.2.12");
        var wellKnown = await StartWellKnownAsync(bed, name, "127.201.2.11", $"{delegatedHost}:{target.Port}", "max-age=3600");
        await bed.StartProxyAsync();

        using (var first = await bed.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var second = await bed.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version"))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        Assert.Single(wellKnown.Requests);
        Assert.Equal(2, target.Requests.Count);
    }

    private static async Task<TlsTestServer> StartWellKnownAsync(FederationTestbed bed, string name, string address, string mServer, string? cacheControl = null)
    {
        var server = await bed.StartServerAsync(address, 443, name);
        server.Handler = RemoteHandlers.WellKnown(mServer, cacheControl);
        bed.Dns.AddA(name, address);
        return server;
    }

    private static void AssertWellKnownFetch(TlsTestServer wellKnown, string name)
    {
        var fetch = Assert.Single(wellKnown.Requests);
        Assert.Equal("GET", fetch.Method);
        Assert.Equal(RemoteHandlers.WellKnownPath, fetch.RawTarget);
        Assert.Equal(name, fetch.Sni);
        Assert.Equal(name, fetch.Host);
        Assert.Equal(443, fetch.LocalPort);
        Assert.Contains("FederationEgress", fetch.Headers["user-agent"], StringComparison.Ordinal);
    }
}
