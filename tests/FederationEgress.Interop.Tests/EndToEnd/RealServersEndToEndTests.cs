using System.Globalization;
using System.Net;
using FederationEgress.Testing.EndToEnd;
using FederationEgress.Testing.Interop;

namespace FederationEgress.Interop.Tests.EndToEnd;

/// <summary>
/// The real app against real servers: dnsmasq serving the zone (the app's only DNS server) and
/// nginx as both well-known server and federation origin, asserted from nginx's access log (SNI,
/// Host, target). Addresses 127.202.x.y belong to this class.
/// </summary>
public sealed class RealServersEndToEndTests
{
    private const string Domain = "e2e-interop.test";
    private const string WellKnownPath = "/.well-known/matrix/server";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WellKnownDelegationThenFedSrv_NginxSeesDelegatedNameAsHostAndSni()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "iop-wk." + Domain;
        const string delegated = "iop-delegated." + Domain;
        const string srvTarget = "iop-srv-target." + Domain;
        await using var origin = await NginxServer.StartAsync(bed.Ca.IssueServerCertificate([delegated]), IPAddress.Parse("127.202.1.2"), cancellationToken: Token);
        var wellKnownAnswer = new NginxLocation(WellKnownPath, 200, $"{{\"m.server\": \"{delegated}\"}}", Headers: new Dictionary<string, string> { ["Cache-Control"] = "max-age=600" });
        await using var wellKnown = await NginxServer.StartAsync(bed.Ca.IssueServerCertificate([name]), IPAddress.Parse("127.202.1.1"), [wellKnownAnswer], Token, port: 443);
        var zone = new RealDnsZone(Domain)
            .AddAddress(name, "127.202.1.1")
            .AddSrv("_matrix-fed._tcp." + delegated, srvTarget, (ushort)origin.Port)
            .AddAddress(srvTarget, "127.202.1.2");
        await using var dns = await RealDnsServer.StartAsync(RealDnsServerKind.Dnsmasq, zone, Token);
        bed.Allow("127.202.1.1").Allow("127.202.1.2");
        await bed.StartProxyAsync(settings: [$"Dns:Servers:0={dns.Server}"]);

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/query/profile?user_id=%40a%3Ab");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var fetch = Assert.Single(wellKnown.Requests);
        Assert.Equal(new NginxRequest(name, name, "GET", WellKnownPath, 200), fetch);
        var seen = Assert.Single(origin.Requests);
        Assert.Equal(new NginxRequest(delegated, delegated, "GET", "/_matrix/federation/v1/query/profile?user_id=%40a%3Ab", 200), seen);
        Assert.DoesNotContain("_matrix._tcp." + delegated, dns.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task NoWellKnownNoSrv_Port8448_NginxSeesServerNameAsHostAndSni()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "iop-plain." + Domain;
        await using var origin = await NginxServer.StartAsync(bed.Ca.IssueServerCertificate([name]), IPAddress.Parse("127.202.2.1"), cancellationToken: Token, port: 8448);
        var zone = new RealDnsZone(Domain).AddAddress(name, "127.202.2.1");
        await using var dns = await RealDnsServer.StartAsync(RealDnsServerKind.Dnsmasq, zone, Token);
        bed.Allow("127.202.2.1");
        await bed.StartProxyAsync(settings: [$"Dns:Servers:0={dns.Server}"]);

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}/_matrix/key/v2/server");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new NginxRequest(name, name, "GET", "/_matrix/key/v2/server", 200), Assert.Single(origin.Requests));
    }

    [Fact]
    public async Task SrvAnswerTooLargeForUdp_TcpFallback_EveryTargetSeenAndLastPriorityServes()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "iop-big." + Domain;
        const string working = "iop-big-working." + Domain;
        const int padding = 40;
        await using var origin = await NginxServer.StartAsync(bed.Ca.IssueServerCertificate([name]), IPAddress.Parse("127.202.3.1"), cancellationToken: Token);

        // ~40 long target names (no addresses) at priority 10 push the answer far past the
        // 1,232-byte EDNS0 size; the only working target comes last (priority 100), so it is known
        // only if the client retried over TCP and read the whole answer.
        var zone = new RealDnsZone(Domain).AddAddress(working, "127.202.3.1");
        for (var i = 0; i < padding; i++)
        {
            zone.AddSrv("_matrix-fed._tcp." + name, PaddingTarget(i), 8448, priority: 10);
        }

        zone.AddSrv("_matrix-fed._tcp." + name, working, (ushort)origin.Port, priority: 100);
        await using var dns = await RealDnsServer.StartAsync(RealDnsServerKind.Dnsmasq, zone, Token);
        bed.Allow("127.202.3.1");
        await bed.StartProxyAsync(settings: [$"Dns:Servers:0={dns.Server}"]);

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new NginxRequest(name, name, "GET", "/_matrix/federation/v1/version", 200), Assert.Single(origin.Requests));
        var log = dns.Output;
        Assert.All(Enumerable.Range(0, padding), i => Assert.Contains($"query[A] {PaddingTarget(i)} ", log, StringComparison.OrdinalIgnoreCase));
    }

    private static string PaddingTarget(int i) =>
        string.Create(CultureInfo.InvariantCulture, $"padding-target-{i:D2}-with-a-deliberately-long-label.{Domain}");
}
