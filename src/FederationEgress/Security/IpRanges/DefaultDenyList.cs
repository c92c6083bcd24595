namespace FederationEgress.Security.IpRanges;

/// <summary>
/// The default egress deny list: Synapse's default <c>ip_range_blacklist</c>, plus the gaps it
/// leaves (0.0.0.0/8, 240.0.0.0/4, ::/128), with every IPv4 range also in its IPv4-mapped,
/// IPv4-compatible and 6to4 IPv6 forms (<see cref="Ipv6Embeddings.Expand"/>). NAT64 and Teredo
/// addresses are checked by extracting the embedded IPv4 at lookup time, because their embedding
/// is not a prefix.
/// </summary>
public static class DefaultDenyList
{
    /// <summary>The IPv4 ranges with what they are.</summary>
    public static IReadOnlyList<(string Cidr, string Description)> IPv4Ranges { get; } =
    [
        ("0.0.0.0/8", "\"this network\", RFC 1122"),
        ("10.0.0.0/8", "private network, RFC 1918"),
        ("100.64.0.0/10", "carrier-grade NAT, RFC 6598"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local, incl. cloud metadata 169.254.169.254"),
        ("172.16.0.0/12", "private network, RFC 1918"),
        ("192.0.0.0/24", "IETF protocol assignments, RFC 6890"),
        ("192.0.2.0/24", "documentation TEST-NET-1"),
        ("192.88.99.0/24", "6to4 relay anycast, RFC 7526"),
        ("192.168.0.0/16", "private network, RFC 1918"),
        ("198.18.0.0/15", "benchmarking, RFC 2544"),
        ("198.51.100.0/24", "documentation TEST-NET-2"),
        ("203.0.113.0/24", "documentation TEST-NET-3"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved, incl. broadcast 255.255.255.255"),
    ];

    /// <summary>The native IPv6 ranges with what they are.</summary>
    public static IReadOnlyList<(string Cidr, string Description)> IPv6Ranges { get; } =
    [
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("fe80::/10", "link-local"),
        ("fc00::/7", "unique local"),
        ("fec0::/10", "site-local, deprecated"),
        ("2001:db8::/32", "documentation"),
        ("ff00::/8", "multicast"),
    ];

    /// <summary>Every entry of the default list, IPv4 expansions included.</summary>
    public static IReadOnlyList<IpRangeEntry> Entries { get; } = Build();

    private static IpRangeEntry[] Build()
    {
        var list = new List<IpRangeEntry>();
        foreach (var (cidr, description) in IPv4Ranges)
        {
            list.AddRange(Ipv6Embeddings.Expand(new IpRangeEntry(IpNetwork.Parse(cidr), description)));
        }

        foreach (var (cidr, description) in IPv6Ranges)
        {
            list.Add(new IpRangeEntry(IpNetwork.Parse(cidr), description));
        }

        return [.. list];
    }
}
