namespace FederationEgress.Dns;

/// <summary>DNS client and cache settings, bound from the <c>Dns</c> configuration section.</summary>
public sealed class DnsOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Dns";

    /// <summary>Default per-exchange timeout when neither configuration nor resolv.conf sets one.</summary>
    public const int DefaultTimeoutMilliseconds = 2000;

    /// <summary>Default number of passes over the server list.</summary>
    public const int DefaultAttempts = 2;

    /// <summary>
    /// EDNS0 UDP payload size advertised in queries. 1232 avoids IP fragmentation on common paths
    /// (DNS Flag Day 2020).
    /// </summary>
    public const int DefaultUdpPayloadSize = 1232;

    /// <summary>
    /// DNS servers as "ip", "ip:port" or "[ipv6]:port". Empty (the default) reads the
    /// <c>nameserver</c> lines of <see cref="ResolvConfPath"/>.
    /// </summary>
    public List<string> Servers { get; set; } = [];

    /// <summary>File read when <see cref="Servers"/> is empty (glibc format).</summary>
    public string ResolvConfPath { get; set; } = "/etc/resolv.conf";

    /// <summary>
    /// Timeout of one exchange with one server. Unset: resolv.conf's <c>options timeout:</c> when the
    /// servers come from it, else <see cref="DefaultTimeoutMilliseconds"/>.
    /// </summary>
    public int? TimeoutMilliseconds { get; set; }

    /// <summary>
    /// Passes over the server list before giving up. Unset: resolv.conf's <c>options attempts:</c>
    /// when the servers come from it, else <see cref="DefaultAttempts"/>.
    /// </summary>
    public int? Attempts { get; set; }

    /// <summary>EDNS0 UDP payload size advertised (512-65535).</summary>
    public int UdpPayloadSize { get; set; } = DefaultUdpPayloadSize;

    /// <summary>Floor for caching positive answers, whatever their TTL.</summary>
    public int MinTtlSeconds { get; set; } = 30;

    /// <summary>Ceiling for caching positive answers.</summary>
    public int MaxTtlSeconds { get; set; } = 86_400;

    /// <summary>Floor for caching NXDOMAIN/NODATA (also used when the answer carries no SOA).</summary>
    public int NegativeMinTtlSeconds { get; set; } = 30;

    /// <summary>Ceiling for caching NXDOMAIN/NODATA.</summary>
    public int NegativeMaxTtlSeconds { get; set; } = 3_600;

    /// <summary>How long past its expiry an answer may still be served when the servers fail (RFC 8767). 0 disables serve-stale.</summary>
    public int MaxStaleSeconds { get; set; } = 86_400;

    /// <summary>Most cached answers kept (one per name and record type, plus one per host for combined addresses).</summary>
    public int MaxEntries { get; set; } = 10_000;

    /// <summary>Longest CNAME chain followed.</summary>
    public int MaxCnameDepth { get; set; } = 8;
}
