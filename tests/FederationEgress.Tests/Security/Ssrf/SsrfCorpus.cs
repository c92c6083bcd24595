using System.Net;

namespace FederationEgress.Tests.Security.Ssrf;

/// <summary>
/// The SSRF corpus (issue 5, conformance notes C.7): forbidden addresses in every spelling the
/// server-name grammar allows, and names whose DNS answers lead inward. Every row must be refused
/// without a socket reaching the target.
/// </summary>
internal static class SsrfCorpus
{
    private const int Forbidden = 403;
    private const string AddressDenied = "address_denied";

    private static readonly IPAddress V4Loopback = IPAddress.Loopback;
    private static readonly IPAddress V6Loopback = IPAddress.IPv6Loopback;

    public static readonly IReadOnlyDictionary<string, SsrfRow> Rows = new Dictionary<string, SsrfRow>
    {
        // IP literals (BL-01, BL-05, BL-06, BL-07, BL-15).
        ["v4-loopback-port"] = new("127.0.0.1:{port}", V4Loopback, null, Forbidden, AddressDenied, "127.0.0.0/8 (loopback)"),
        ["v4-loopback-default-port"] = new("127.0.0.1", null, null, Forbidden, AddressDenied, "127.0.0.0/8 (loopback)"),
        ["v4-loopback-other"] = new("127.1.2.3:8448", null, null, Forbidden, AddressDenied, "127.0.0.0/8 (loopback)"),
        ["v6-loopback-port"] = new("[::1]:{port}", V6Loopback, null, Forbidden, AddressDenied, "::1/128"),
        ["v6-loopback"] = new("[::1]", null, null, Forbidden, AddressDenied, "::1/128"),
        ["v4-mapped-loopback"] = new("[::ffff:127.0.0.1]:{port}", V4Loopback, null, Forbidden, AddressDenied, "127.0.0.0/8 (loopback)"),
        ["v4-mapped-hex"] = new("[::ffff:7f00:1]:{port}", V4Loopback, null, Forbidden, AddressDenied, "127.0.0.0/8 (loopback)"),
        ["v4-compatible-loopback"] = new("[::127.0.0.1]", null, null, Forbidden, AddressDenied, "loopback"),
        ["6to4-loopback"] = new("[2002:7f00:1::1]", null, null, Forbidden, AddressDenied, "loopback"),
        ["nat64-loopback"] = new("[64:ff9b::7f00:1]", null, null, Forbidden, AddressDenied, "NAT64"),
        ["nat64-private"] = new("[64:ff9b::a00:1]", null, null, Forbidden, AddressDenied, "10.0.0.0/8"),
        ["teredo-loopback-client"] = new("[2001:0:4136:e378:8000:63bf:80ff:fffe]", null, null, Forbidden, AddressDenied, "Teredo"),
        ["v6-link-local"] = new("[fe80::1]", null, null, Forbidden, AddressDenied, "fe80::/10"),
        ["v6-unique-local"] = new("[fd00::1]:8448", null, null, Forbidden, AddressDenied, "fc00::/7"),
        ["v4-unspecified"] = new("0.0.0.0", null, null, Forbidden, AddressDenied, "unspecified"),
        ["v4-unspecified-port"] = new("0.0.0.0:{port}", V4Loopback, null, Forbidden, AddressDenied, "unspecified"),
        ["v6-unspecified"] = new("[::]", null, null, Forbidden, AddressDenied, "unspecified"),
        ["v4-this-network"] = new("0.1.2.3", null, null, Forbidden, AddressDenied, "0.0.0.0/8"),
        ["cloud-metadata"] = new("169.254.169.254", null, null, Forbidden, AddressDenied, "169.254.0.0/16"),
        ["cloud-metadata-port-80"] = new("169.254.169.254:80", null, null, Forbidden, AddressDenied, "169.254.0.0/16"),
        ["cgnat"] = new("100.64.0.1", null, null, Forbidden, AddressDenied, "100.64.0.0/10"),
        ["rfc1918-10"] = new("10.0.0.1", null, null, Forbidden, AddressDenied, "10.0.0.0/8"),
        ["rfc1918-172"] = new("172.16.0.1:8448", null, null, Forbidden, AddressDenied, "172.16.0.0/12"),
        ["rfc1918-192"] = new("192.168.1.1", null, null, Forbidden, AddressDenied, "192.168.0.0/16"),
        ["multicast"] = new("224.0.0.1", null, null, Forbidden, AddressDenied, "224.0.0.0/4"),
        ["broadcast"] = new("255.255.255.255", null, null, Forbidden, AddressDenied, "240.0.0.0/4"),
        ["v6-multicast"] = new("[ff02::1]", null, null, Forbidden, AddressDenied, "ff00::/8"),

        // Spellings a lenient IPv4 parser would turn into 127.0.0.1: not server names at all (400).
        ["decimal-integer"] = new("2130706433", null, null, 400, "invalid_server_name", "2130706433"),
        ["short-dotted"] = new("127.1", null, null, 400, "invalid_server_name", "127.1"),
        ["hex-dotted"] = new("0x7f.0.0.1", null, null, 400, "invalid_server_name", "0x7f.0.0.1"),
        ["octal-dotted"] = new("0177.0.0.1", null, null, 400, "invalid_server_name", "0177.0.0.1"),
        // IDNA maps U+FF0E to "." so this is the literal 127.0.0.1: still judged by the address policy.
        ["fullwidth-dots"] = new("127%EF%BC%8E0%EF%BC%8E0%EF%BC%8E1:{port}", V4Loopback, null, Forbidden, AddressDenied, "127.0.0.0/8 (loopback)"),
        ["v6-zone-id"] = new("[fe80::1%25eth0]", null, null, 400, "invalid_server_name", "not a valid server name"),

        // Names whose answers point inward (BL-02, BL-05, BL-06).
        ["a-loopback"] = new("a-loopback.ssrf.test:{port}", V4Loopback, (dns, _) => dns.AddA("a-loopback.ssrf.test", "127.0.0.1"), Forbidden, AddressDenied, "127.0.0.0/8 (loopback)"),
        ["aaaa-loopback"] = new("aaaa-loopback.ssrf.test:{port}", V6Loopback, (dns, _) => dns.AddAaaa("aaaa-loopback.ssrf.test", "::1"), Forbidden, AddressDenied, "::1/128"),
        ["aaaa-mapped-loopback"] = new("aaaa-mapped.ssrf.test:{port}", V4Loopback, (dns, _) => dns.AddAaaa("aaaa-mapped.ssrf.test", "::ffff:127.0.0.1"), Forbidden, AddressDenied, "127.0.0.0/8 (loopback)"),
        ["aaaa-6to4"] = new("aaaa-6to4.ssrf.test", null, (dns, _) => dns.AddAaaa("aaaa-6to4.ssrf.test", "2002:7f00:1::1"), Forbidden, AddressDenied, "loopback"),
        ["a-metadata"] = new("a-metadata.ssrf.test", null, (dns, _) => dns.AddA("a-metadata.ssrf.test", "169.254.169.254"), Forbidden, AddressDenied, "169.254.0.0/16"),
        ["a-and-aaaa-inward"] = new("both.ssrf.test:{port}", V4Loopback, (dns, _) => dns.AddA("both.ssrf.test", "127.0.0.1").AddAaaa("both.ssrf.test", "::1"), Forbidden, AddressDenied, "is denied"),
        ["cname-chain-inward"] = new("cname.ssrf.test:{port}", V4Loopback, (dns, _) => dns.AddCname("cname.ssrf.test", "hop.ssrf.test").AddCname("hop.ssrf.test", "inner.ssrf.test").AddA("inner.ssrf.test", "127.0.0.1"), Forbidden, AddressDenied, "127.0.0.0/8 (loopback)"),
        ["cname-to-private"] = new("cname-private.ssrf.test", null, (dns, _) => dns.AddCname("cname-private.ssrf.test", "lb.ssrf.test").AddA("lb.ssrf.test", "10.1.2.3"), Forbidden, AddressDenied, "10.0.0.0/8"),

        // SRV targets that all lead inward (BL-10 without a public target).
        ["srv-all-inward"] = new(
            "srv-inward.ssrf.test",
            V4Loopback,
            (dns, port) => dns
                .AddSrv("_matrix-fed._tcp.srv-inward.ssrf.test", "in-a.ssrf.test", (ushort)port, priority: 10)
                .AddSrv("_matrix-fed._tcp.srv-inward.ssrf.test", "in-b.ssrf.test", 8448, priority: 20)
                .AddA("in-a.ssrf.test", "127.0.0.1")
                .AddA("in-b.ssrf.test", "192.168.7.7"),
            Forbidden,
            AddressDenied,
            "is denied"),
        ["srv-legacy-inward"] = new(
            "srv-legacy.ssrf.test",
            V4Loopback,
            (dns, port) => dns
                .AddSrv("_matrix._tcp.srv-legacy.ssrf.test", "legacy-in.ssrf.test", (ushort)port)
                .AddA("legacy-in.ssrf.test", "127.0.0.1"),
            Forbidden,
            AddressDenied,
            "127.0.0.0/8 (loopback)"),
    };

    public static TheoryData<string> Ids => new(Rows.Keys);
}
