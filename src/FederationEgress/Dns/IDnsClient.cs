using FederationEgress.Dns.Protocol;

namespace FederationEgress.Dns;

/// <summary>
/// Sends one DNS question to the configured servers (no caching). The only class that talks to
/// the network for DNS: replacing the stub resolver with a library means replacing its implementation.
/// </summary>
public interface IDnsClient
{
    /// <summary>
    /// Asks <paramref name="name"/>/<paramref name="type"/> (class IN), trying the servers in order
    /// for the configured number of attempts, UDP first and TCP when the answer is truncated.
    /// Never throws for network or protocol failures: they come back as <see cref="DnsQueryResult.Status"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid DNS name.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<DnsQueryResult> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken);
}
