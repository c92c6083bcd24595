namespace FederationEgress.Dns.Protocol;

/// <summary>A CNAME record: <paramref name="Name"/> is an alias of <paramref name="Target"/>.</summary>
public sealed record DnsCnameRecord(string Name, uint Ttl, string Target)
    : DnsRecord(Name, DnsRecordType.CNAME, Ttl);
