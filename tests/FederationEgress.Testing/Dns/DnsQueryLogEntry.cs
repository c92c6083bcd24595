using FederationEgress.Dns;
using FederationEgress.Dns.Protocol;

namespace FederationEgress.Testing.Dns;

/// <summary>One query a <see cref="ScriptedDnsServer"/> received.</summary>
/// <param name="Name">Question name as sent (case preserved, no trailing dot).</param>
/// <param name="Type">Question type.</param>
/// <param name="Transport">UDP or TCP.</param>
/// <param name="Id">The query id.</param>
/// <param name="UdpPayloadSize">EDNS0 payload size the query advertised, if any.</param>
public sealed record DnsQueryLogEntry(string Name, DnsRecordType Type, DnsTransport Transport, ushort Id, ushort? UdpPayloadSize);
