using System.Net;
using FederationEgress.Dns.Protocol;
using FederationEgress.Testing.EndToEnd;

namespace FederationEgress.Tests.EndToEnd;

/// <summary>
/// Spec steps 4 and 5: the well-known fails (404 or connection refused), then SRV, then 8448.
/// Host and SNI are always the server name. Addresses 127.201.3.x belong to this class.
/// </summary>
public sealed class WellKnownFailureFallbackEndToEndTests
{
    [Fact]
    public async Task WellKnown404_FedSrv_Step4_HostAndSniServerName()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "wk404-srv.e2e3.test";
        var wellKnown = await bed.StartServerAsync("127.201.3.1", 443, name);
        wellKnown.Handler = RemoteHandlers.Status(404);
        bed.Dns.AddA(name, "127.201.3.1");
        var target = await bed.StartServerAsync("127.201.3.2", 0, name);
        bed.Dns.AddSrv("_matrix-fed._tcp." + name, "fed-target.e2e3.test", (ushort)target.Port);
        bed.Dns.AddA("fed-target.e2e3.test", "127.201.3.2");
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(RemoteHandlers.WellKnownPath, Assert.Single(wellKnown.Requests).RawTarget);
        var seen = Assert.Single(target.Requests);
        Assert.Equal(name, seen.Sni);
        Assert.Equal(name, seen.Host);
        Assert.Equal(target.Port, seen.LocalPort);
    }

    [Fact]
    public async Task WellKnownRefused_LegacySrv_Step4_HostAndSniServerName()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "wkrefused-srv.e2e3.test";

        // The name resolves to an allowed address where nothing listens on 443.
        bed.Dns.AddA(name, "127.201.3.3");
        bed.Allow("127.201.3.3");
        var target = await bed.StartServerAsync("127.201.3.4", 0, name);
        bed.Dns.AddSrv("_matrix._tcp." + name, "legacy-target.e2e3.test", (ushort)target.Port);
        bed.Dns.AddA("legacy-target.e2e3.test", "127.201.3.4");
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(target.Requests);
        Assert.Equal(name, seen.Sni);
        Assert.Equal(name, seen.Host);
        Assert.Equal(1, bed.Dns.QueryCount("_matrix-fed._tcp." + name, DnsRecordType.SRV));
    }

    [Fact]
    public async Task WellKnown404_NoSrv_Step5_Port8448OnServerNameAddress()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "wk404-8448.e2e3.test";

        // One host: well-known answers 404 on 443, federation on 8448 (the common plain layout).
        var wellKnown = await bed.StartServerAsync("127.201.3.5", 443, name);
        wellKnown.Handler = RemoteHandlers.Status(404);
        var federation = await bed.StartServerAsync("127.201.3.5", 8448, name);
        bed.Dns.AddA(name, "127.201.3.5");
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Put, $"/{name}/_matrix/federation/v1/send/1", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(wellKnown.Requests);
        var seen = Assert.Single(federation.Requests);
        Assert.Equal(name, seen.Sni);
        Assert.Equal(name, seen.Host);
        Assert.Equal(8448, seen.LocalPort);
        Assert.Equal(1, bed.Dns.QueryCount("_matrix-fed._tcp." + name));
        Assert.Equal(1, bed.Dns.QueryCount("_matrix._tcp." + name));
    }

    [Fact]
    public async Task WellKnownRefused_NoSrv_Step5_Port8448()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "wkrefused-8448.e2e3.test";
        var federation = await bed.StartServerAsync("127.201.3.6", 8448, name);
        bed.Dns.AddA(name, "127.201.3.6");
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(federation.Requests);
        Assert.Equal(name, seen.Sni);
        Assert.Equal(name, seen.Host);
        Assert.Equal(8448, seen.LocalPort);
    }

    [Fact]
    public async Task WellKnownUntrustedCertificate_FallsBackToSrv_NoWellKnownRequestRead()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "wk-badcert.e2e3.test";

        // Well-known server presents a certificate for another name: TLS fails before any HTTP byte.
        var wellKnown = await bed.StartServerAsync("127.201.3.7", 443, "someone-else.e2e3.test");
        bed.Dns.AddA(name, "127.201.3.7");
        var target = await bed.StartServerAsync("127.201.3.8", 0, name);
        bed.Dns.AddSrv("_matrix-fed._tcp." + name, "badcert-target.e2e3.test", (ushort)target.Port);
        bed.Dns.AddA("badcert-target.e2e3.test", "127.201.3.8");
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(wellKnown.Requests);
        Assert.True(wellKnown.ConnectionCount >= 1);
        Assert.Equal(name, Assert.Single(target.Requests).Host);
    }
}
