namespace FederationEgress.Dns.Protocol;

/// <summary>
/// An SOA record. In the authority section of a negative answer it bounds how long the answer may be
/// cached: min(<see cref="DnsRecord.Ttl"/>, <see cref="Minimum"/>) (RFC 2308 5).
/// </summary>
public sealed record DnsSoaRecord(
    string Name,
    uint Ttl,
    string PrimaryServer,
    string ResponsibleMailbox,
    uint Serial,
    uint Refresh,
    uint Retry,
    uint Expire,
    uint Minimum)
    : DnsRecord(Name, DnsRecordType.SOA, Ttl)
{
    /// <summary>The negative-caching TTL this SOA allows (RFC 2308 5).</summary>
    public uint NegativeTtl => Math.Min(Ttl, Minimum);
}
