namespace FederationEgress.Dns.Protocol;

/// <summary>
/// A resource record of the IN class. The reader produces <see cref="DnsAddressRecord"/>,
/// <see cref="DnsCnameRecord"/>, <see cref="DnsServiceRecord"/> and <see cref="DnsSoaRecord"/>
/// and skips other types; <see cref="DnsRawRecord"/> exists so tests can write any type.
/// </summary>
/// <param name="Name">Owner name, presentation form without the trailing dot.</param>
/// <param name="Type">Record type.</param>
/// <param name="Ttl">Time to live in seconds (values with the top bit set are read as 0, RFC 2181 8).</param>
public abstract record DnsRecord(string Name, DnsRecordType Type, uint Ttl);
