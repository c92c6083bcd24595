using System.Net;
using System.Net.Sockets;

namespace FederationEgress.Dns.Protocol;

/// <summary>An A (IPv4) or AAAA (IPv6) record; the type follows the address family.</summary>
public sealed record DnsAddressRecord(string Name, uint Ttl, IPAddress Address)
    : DnsRecord(Name, Address.AddressFamily == AddressFamily.InterNetworkV6 ? DnsRecordType.AAAA : DnsRecordType.A, Ttl);
