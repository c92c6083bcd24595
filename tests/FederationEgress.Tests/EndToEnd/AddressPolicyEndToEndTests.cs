using System.Globalization;
using System.Net;
using FederationEgress.Testing.EndToEnd;
using FederationEgress.Testing.Tls;

namespace FederationEgress.Tests.EndToEnd;

/// <summary>
/// The egress IP policy on the real pipeline: addresses reached through DNS or a well-known
/// delegation are checked where they are dialled, and nothing connects to a denied one. The
/// denied servers are started outside the testbed so their addresses stay out of
/// IpPolicy:AllowRanges. Addresses 127.201.9.x belong to this class.
/// </summary>
public sealed class AddressPolicyEndToEndTests
{
    [Fact]
    public async Task HostnameResolvingToDeniedAddress_403AndNoConnection()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "denied-by-dns.e2e9.test";
        await using var denied = await TlsTestServer.StartAsync(bed.Ca.IssueServerCertificate([name]), IPAddress.Parse("127.201.9.1"));
        bed.Dns.AddA(name, "127.201.9.1");
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}:{denied.Port}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, denied.ConnectionCount);
    }

    [Fact]
    public async Task WellKnownDelegatesToDeniedIp_403NoFallbackAndNoConnection()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "wk-to-denied.e2e9.test";
        await using var denied = await TlsTestServer.StartAsync(bed.Ca.IssueServerCertificate(["127.201.9.3"]), IPAddress.Parse("127.201.9.3"));
        var wellKnown = await bed.StartServerAsync("127.201.9.2", 443, name);
        wellKnown.Handler = RemoteHandlers.WellKnown(string.Create(CultureInfo.InvariantCulture, $"127.201.9.3:{denied.Port}"));
        bed.Dns.AddA(name, "127.201.9.2");

        // Were the delegation dropped, step 4/5 would reach this allowed server on 8448.
        var fallback = await bed.StartServerAsync("127.201.9.2", 8448, name);
        await bed.StartProxyAsync();

        using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Single(wellKnown.Requests);
        Assert.Equal(0, denied.ConnectionCount);
        Assert.Empty(fallback.Requests);
    }
}
