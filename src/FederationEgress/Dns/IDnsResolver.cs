using System.Net;

namespace FederationEgress.Dns;

/// <summary>
/// Cached, single-flight DNS lookups for discovery and dialling. Cache hits complete synchronously.
/// Implementations follow CNAMEs (bounded), cache by TTL within a floor and ceiling, cache
/// negative answers per the SOA minimum, and serve stale data when servers fail (RFC 8767).
/// </summary>
public interface IDnsResolver
{
    /// <summary>
    /// AAAA and A records of <paramref name="host"/> (CNAMEs followed), IPv6 and IPv4 interleaved,
    /// IPv6 first. Success when either family has addresses.
    /// </summary>
    ValueTask<DnsResult<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken);

    /// <summary>SRV records for <paramref name="service"/> (e.g. <c>_matrix-fed._tcp.example.org</c>), unsorted.</summary>
    ValueTask<DnsResult<SrvRecord>> ResolveSrvAsync(string service, CancellationToken cancellationToken);
}
