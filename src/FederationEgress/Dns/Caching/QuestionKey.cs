using FederationEgress.Dns.Protocol;

namespace FederationEgress.Dns.Caching;

/// <summary>Single-flight key: a normalized (lower-case, no trailing dot) name and a record type.</summary>
internal readonly record struct QuestionKey(string Name, DnsRecordType Type);
