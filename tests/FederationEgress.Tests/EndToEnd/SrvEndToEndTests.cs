using System.Net;
using System.Text.Json;
using FederationEgress.Dns.Protocol;
using FederationEgress.Testing.EndToEnd;

namespace FederationEgress.Tests.EndToEnd;

/// <summary>
/// SRV behaviour through the whole pipeline: connect and TLS failover between targets, a lone "."
/// target, and MSC4040 (no legacy lookup once _matrix-fed._tcp has records). The server names have
/// no address records, so their well-known fails at DNS (WE-21) and step 4 runs. Addresses
/// 127.201.4.x belong to this class.
/// </summary>
public sealed class SrvEndToEndTests
{
    [Fact]
    public async Task FirstTargetRefuses_SecondTargetServes_HostAndSniServerName()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "srv-failover.e2e4.test";
        var refusing = FederationTestbed.RefusingEndPoint(IPAddress.Parse("127.201.4.1"));
        bed.Allow(refusing.Address);
        var alive = await bed.StartServerAsync("127.201.4.2", 0, name);
        bed.Dns.AddSrv("_matrix-fed._tcp." + name, "dead.e2e4.test", (ushort)refusing.Port, priority: 10);
        bed.Dns.AddSrv("_matrix-fed._tcp." + name, "alive.e2e4.test", (ushort)alive.Port, priority: 20);
        bed.Dns.AddA("dead.e2e4.test", "127.201.4.1");
        bed.Dns.AddA("alive.e2e4.test", "127.201.4.2");
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Put, $"/{name}/_matrix/federation/v1/send/7", new StringContent("{\"edus\":[]}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(alive.Requests);
        Assert.Equal(name, seen.Sni);
        Assert.Equal(name, seen.Host);
        Assert.Equal("{\"edus\":[]}", System.Text.Encoding.UTF8.GetString(seen.Body));
    }

    [Fact]
    public async Task FirstTargetBadCertificate_SecondTargetServes_NoRequestAtFirst()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "srv-tlsfailover.e2e4.test";
        var badCert = await bed.StartServerAsync("127.201.4.3", 0, "not-the-server-name.e2e4.test");
        var good = await bed.StartServerAsync("127.201.4.4", 0, name);
        bed.Dns.AddSrv("_matrix-fed._tcp." + name, "badcert.e2e4.test", (ushort)badCert.Port, priority: 10);
        bed.Dns.AddSrv("_matrix-fed._tcp." + name, "goodcert.e2e4.test", (ushort)good.Port, priority: 20);
        bed.Dns.AddA("badcert.e2e4.test", "127.201.4.3");
        bed.Dns.AddA("goodcert.e2e4.test", "127.201.4.4");
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(badCert.ConnectionCount >= 1, "the first target was never tried");
        Assert.Empty(badCert.Requests);
        var seen = Assert.Single(good.Requests);
        Assert.Equal(name, seen.Sni);
        Assert.Equal(name, seen.Host);
    }

    [Fact]
    public async Task LoneDotTarget_Is502NamingTheService_NoLegacyNoFallback()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "srv-dot.e2e4.test";
        var legacy = await bed.StartServerAsync("127.201.4.5", 0, name);
        bed.Dns.AddSrv("_matrix-fed._tcp." + name, ".", 0);
        bed.Dns.AddSrv("_matrix._tcp." + name, "legacy.e2e4.test", (ushort)legacy.Port);
        bed.Dns.AddA("legacy.e2e4.test", "127.201.4.5");
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var error = body.RootElement.GetProperty("error").GetString()!;
        Assert.Contains("_matrix-fed._tcp." + name, error, StringComparison.Ordinal);
        Assert.Contains("\".\"", error, StringComparison.Ordinal);
        Assert.Empty(legacy.Requests);
        Assert.Equal(0, bed.Dns.QueryCount("_matrix._tcp." + name));
    }

    [Fact]
    public async Task FedRecordsExistButFail_LegacyNeverQueried_Is502()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "srv-msc4040-fail.e2e4.test";
        var refusing = FederationTestbed.RefusingEndPoint(IPAddress.Parse("127.201.4.6"));
        bed.Allow(refusing.Address);
        var legacy = await bed.StartServerAsync("127.201.4.7", 0, name);
        var port8448 = await bed.StartServerAsync("127.201.4.6", 8448, name);
        bed.Dns.AddA(name, "127.201.4.6");
        bed.Dns.AddSrv("_matrix-fed._tcp." + name, "fed-dead.e2e4.test", (ushort)refusing.Port);
        bed.Dns.AddA("fed-dead.e2e4.test", "127.201.4.6");
        bed.Dns.AddSrv("_matrix._tcp." + name, "legacy-alive.e2e4.test", (ushort)legacy.Port);
        bed.Dns.AddA("legacy-alive.e2e4.test", "127.201.4.7");
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Empty(legacy.Requests);
        Assert.Empty(port8448.Requests);
        Assert.Equal(1, bed.Dns.QueryCount("_matrix-fed._tcp." + name, DnsRecordType.SRV));
        Assert.Equal(0, bed.Dns.QueryCount("_matrix._tcp." + name));
    }

    [Fact]
    public async Task FedRecordsExist_LegacyNeverQueried_FedTargetServes()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "srv-msc4040.e2e4.test";
        var fed = await bed.StartServerAsync("127.201.4.8", 0, name);
        var legacy = await bed.StartServerAsync("127.201.4.9", 0, name);
        bed.Dns.AddSrv("_matrix-fed._tcp." + name, "fed.e2e4.test", (ushort)fed.Port);
        bed.Dns.AddA("fed.e2e4.test", "127.201.4.8");
        bed.Dns.AddSrv("_matrix._tcp." + name, "legacy.e2e4.test", (ushort)legacy.Port);
        bed.Dns.AddA("legacy.e2e4.test", "127.201.4.9");
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(name, Assert.Single(fed.Requests).Host);
        Assert.Empty(legacy.Requests);
        Assert.Equal(0, bed.Dns.QueryCount("_matrix._tcp." + name));
    }

    [Fact]
    public async Task SrvTargetIsCname_Followed_HostAndSniUnchanged()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "srv-cname.e2e4.test";
        var target = await bed.StartServerAsync("127.201.4.10", 0, name);
        bed.Dns.AddSrv("_matrix-fed._tcp." + name, "alias.e2e4.test", (ushort)target.Port);
        bed.Dns.AddCname("alias.e2e4.test", "real.e2e4.test");
        bed.Dns.AddA("real.e2e4.test", "127.201.4.10");
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(target.Requests);
        Assert.Equal(name, seen.Sni);
        Assert.Equal(name, seen.Host);
    }
}
