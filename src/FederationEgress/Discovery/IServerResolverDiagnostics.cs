using FederationEgress.ServerNames;

namespace FederationEgress.Discovery;

/// <summary>
/// Step-by-step discovery reports for operators (diagnostic endpoint, CLI). Implemented by the
/// same resolver that serves <see cref="IServerResolver"/>.
/// </summary>
public interface IServerResolverDiagnostics
{
    /// <summary>
    /// Resolves <paramref name="serverName"/> and records every step tried with its inputs and
    /// results. With <paramref name="bypassCache"/> the resolution and well-known caches are
    /// neither read nor written (DNS answers still come through the DNS resolver's cache, marked
    /// stale when they are); without it, a cached resolution is reported as a hit and a miss is
    /// resolved and cached as usual. Failures are reported, not thrown.
    /// </summary>
    Task<DiscoveryReport> ResolveWithReportAsync(ServerName serverName, bool bypassCache, CancellationToken cancellationToken);
}
