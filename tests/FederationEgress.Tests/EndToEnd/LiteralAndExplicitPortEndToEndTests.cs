using System.Globalization;
using System.Net;
using System.Text;
using FederationEgress.Dns.Protocol;
using FederationEgress.Testing.EndToEnd;

namespace FederationEgress.Tests.EndToEnd;

/// <summary>
/// Spec steps 1 and 2 through the whole pipeline (real DNS client, discovery, IP and TLS policy),
/// asserted from the remote server's side. Addresses 127.201.1.x belong to this class.
/// </summary>
public sealed class LiteralAndExplicitPortEndToEndTests
{
    [Fact]
    public async Task Ipv4LiteralWithPort_ReachesThatEndpointWithoutSni_HostIsServerName()
    {
        await using var bed = FederationTestbed.Create();
        var remote = await bed.StartServerAsync("127.201.1.1", 0, "127.201.1.1");
        await bed.StartProxyAsync();
        var serverName = $"127.201.1.1:{remote.Port}";

        using var response = await bed.SendAsync(HttpMethod.Put, $"/{serverName}/_matrix/federation/v1/send/1?a=%2F+b", new StringContent("{\"pdus\":[]}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(remote.Requests);
        Assert.Null(seen.Sni);
        Assert.Equal(serverName, seen.Host);
        Assert.Equal("PUT", seen.Method);
        Assert.Equal("/_matrix/federation/v1/send/1?a=%2F+b", seen.RawTarget);
        Assert.Equal("{\"pdus\":[]}", Encoding.UTF8.GetString(seen.Body));
        Assert.Equal(remote.Port, seen.LocalPort);
        Assert.Empty(bed.Dns.Queries);
    }

    [Fact]
    public async Task Ipv4LiteralWithoutPort_ReachesPort8448_HostHasNoPort()
    {
        await using var bed = FederationTestbed.Create();
        var remote = await bed.StartServerAsync("127.201.1.2", 8448, "127.201.1.2");
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Get, "/127.201.1.2/_matrix/key/v2/server");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(remote.Requests);
        Assert.Null(seen.Sni);
        Assert.Equal("127.201.1.2", seen.Host);
        Assert.Equal(8448, seen.LocalPort);
        Assert.Equal("/_matrix/key/v2/server", seen.RawTarget);
    }

    [Fact]
    public async Task Ipv6LiteralWithPort_ReachesLoopbackV6WithoutSni_HostKeepsBrackets()
    {
        await using var bed = FederationTestbed.Create();
        var remote = await bed.StartServerAsync("::1", 0, "::1");
        await bed.StartProxyAsync();
        var serverName = $"[::1]:{remote.Port}";

        // Percent-encoded server name, as a homeserver may send it.
        using var response = await bed.SendAsync(HttpMethod.Get, $"/%5B%3A%3A1%5D%3A{remote.Port}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(remote.Requests);
        Assert.Null(seen.Sni);
        Assert.Equal(serverName, seen.Host);
        Assert.Equal("/_matrix/federation/v1/version", seen.RawTarget);
        Assert.Equal(remote.Port, seen.LocalPort);
    }

    [Fact]
    public async Task IpLiteral_CertificateWithDnsNameOnly_Is502AndNoRequestArrives()
    {
        await using var bed = FederationTestbed.Create();
        var remote = await bed.StartServerAsync("127.201.1.3", 0, "ip-only-dns-san.test");
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Get, $"/127.201.1.3:{remote.Port}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Empty(remote.Requests);
    }

    [Fact]
    public async Task HostnameWithPort_ResolvesThroughDns_HostHasPortAndSniIsHostname()
    {
        await using var bed = FederationTestbed.Create();
        const string host = "explicit-port.e2e1.test";
        var remote = await bed.StartServerAsync("127.201.1.4", 0, host);
        bed.Dns.AddA(host, "127.201.1.4");
        bed.Dns.AddSrv("_matrix-fed._tcp." + host, "never-used.e2e1.test", 1);
        await bed.StartProxyAsync();
        var serverName = string.Create(CultureInfo.InvariantCulture, $"{host}:{remote.Port}");

        using var response = await bed.SendAsync(HttpMethod.Post, $"/{serverName}/_matrix/federation/v1/user/keys/query", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(remote.Requests);
        Assert.Equal(host, seen.Sni);
        Assert.Equal(serverName, seen.Host);
        Assert.Equal("POST", seen.Method);
        Assert.Equal(remote.Port, seen.LocalPort);

        // Step 2 asks only for addresses: no well-known, no SRV (IP-08).
        Assert.All(bed.Dns.Queries, q => Assert.Equal(host, q.Name, ignoreCase: true));
        Assert.Equal(1, bed.Dns.QueryCount(host, DnsRecordType.A));
        Assert.Equal(0, bed.Dns.QueryCount("_matrix-fed._tcp." + host));
    }

    [Fact]
    public async Task HostnameWithPort_MixedCase_HostKeptAsReceived()
    {
        await using var bed = FederationTestbed.Create();
        const string host = "mixed-case.e2e1.test";
        var remote = await bed.StartServerAsync("127.201.1.5", 0, host);
        bed.Dns.AddA(host, "127.201.1.5");
        await bed.StartProxyAsync();
        var serverName = string.Create(CultureInfo.InvariantCulture, $"Mixed-CASE.e2e1.test:{remote.Port}");

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{serverName}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(remote.Requests);
        Assert.Equal(serverName, seen.Host);

        // SNI names are case-insensitive (RFC 6066); the certificate for the lower-case name matched.
        Assert.Equal(host, seen.Sni, ignoreCase: true);
    }
}
