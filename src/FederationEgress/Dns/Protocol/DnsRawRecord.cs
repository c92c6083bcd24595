namespace FederationEgress.Dns.Protocol;

/// <summary>
/// A record written verbatim (any type, any class, opaque RDATA). Used by test servers to send
/// types the reader skips, or deliberately broken RDATA.
/// </summary>
public sealed record DnsRawRecord(string Name, DnsRecordType Type, uint Ttl, ReadOnlyMemory<byte> Data, ushort Class = DnsQuestion.ClassInternet)
    : DnsRecord(Name, Type, Ttl);
