using System.Globalization;
using System.Net;
using FederationEgress.Testing.EndToEnd;

namespace FederationEgress.Tests.EndToEnd;

/// <summary>
/// International server names end to end: a U-label name arrives percent-encoded in the path and
/// only its punycode form ever reaches DNS, SNI and the Host header. Addresses 127.201.5.x belong
/// to this class.
/// </summary>
public sealed class IdnaEndToEndTests
{
    [Fact]
    public async Task PercentEncodedUnicodeName_PunycodeInDnsQuestionsSniAndHost()
    {
        await using var bed = FederationTestbed.Create();
        const string punycode = "xn--bcher-kva.e2e5.test";
        var wellKnown = await bed.StartServerAsync("127.201.5.1", 443, punycode);
        wellKnown.Handler = RemoteHandlers.Status(404);
        var federation = await bed.StartServerAsync("127.201.5.1", 8448, punycode);
        bed.Dns.AddA(punycode, "127.201.5.1");
        await bed.StartProxyAsync();

        // "bücher.e2e5.test", UTF-8 percent-encoded.
        using var response = await bed.SendAsync(HttpMethod.Get, "/b%C3%BCcher.e2e5.test/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var fetch = Assert.Single(wellKnown.Requests);
        Assert.Equal(punycode, WireSni(fetch.Sni));
        Assert.Equal(punycode, fetch.Headers["host"]);
        var seen = Assert.Single(federation.Requests);
        Assert.Equal(punycode, WireSni(seen.Sni));
        Assert.Equal(punycode, seen.Headers["host"]);
        Assert.Equal(8448, seen.LocalPort);

        var questions = bed.Dns.Queries.Select(q => q.Name.ToLowerInvariant()).Distinct().Order().ToList();
        Assert.Equal(["_matrix-fed._tcp." + punycode, "_matrix._tcp." + punycode, punycode], questions);
    }

    [Fact]
    public async Task UnicodeNameWithPort_PunycodeHostWithPort()
    {
        await using var bed = FederationTestbed.Create();
        const string punycode = "xn--mnchen-3ya.e2e5.test";
        var federation = await bed.StartServerAsync("127.201.5.2", 0, punycode);
        bed.Dns.AddA(punycode, "127.201.5.2");
        await bed.StartProxyAsync();

        // "münchen.e2e5.test:<port>"
        using var response = await bed.SendAsync(HttpMethod.Get, $"/m%C3%BCnchen.e2e5.test:{federation.Port}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(federation.Requests);
        Assert.Equal(punycode, WireSni(seen.Sni));
        Assert.Equal($"{punycode}:{federation.Port}", seen.Headers["host"]);
        Assert.All(bed.Dns.Queries, q => Assert.Equal(punycode, q.Name, ignoreCase: true));
    }

    [Fact]
    public async Task NameOutsideGrammarAfterIdna_Is400_NoDnsQuery()
    {
        await using var bed = FederationTestbed.Create();
        await bed.StartProxyAsync();

        // "bad_name.e2e5.test": underscore is outside the grammar even after IDNA.
        using var response = await bed.SendAsync(HttpMethod.Get, "/b%C3%BCcher_x.e2e5.test/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(bed.Dns.Queries);
    }

    // Host: RecordedRequest.Host comes from HttpRequest.Host, which IDNA-decodes "xn--" labels;
    // the raw header is in Headers["host"].
    // SNI is ASCII on the wire; .NET's server side hands it over IDNA-decoded ("bücher…"), so
    // re-encode it to compare with the bytes the proxy sent.
    private static string? WireSni(string? sni) => sni is null ? null : new IdnMapping().GetAscii(sni);
}
