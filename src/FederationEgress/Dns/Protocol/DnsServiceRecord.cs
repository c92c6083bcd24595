namespace FederationEgress.Dns.Protocol;

/// <summary>An SRV resource record (RFC 2782); <see cref="Srv"/> carries priority, weight, port and target.</summary>
public sealed record DnsServiceRecord(string Name, uint Ttl, SrvRecord Srv)
    : DnsRecord(Name, DnsRecordType.SRV, Ttl);
