using FederationEgress.ServerNames;

namespace FederationEgress.Discovery;

/// <summary>
/// Resolves a server name to a <see cref="Resolution"/> following the spec's discovery steps.
/// Cached and single-flight: a cache hit completes synchronously.
/// </summary>
public interface IServerResolver
{
    /// <summary>
    /// Resolves <paramref name="serverName"/>. Failures throw <see cref="Errors.EgressException"/>
    /// with the step that failed (dns, well-known, srv, address policy).
    /// </summary>
    ValueTask<Resolution> ResolveAsync(ServerName serverName, CancellationToken cancellationToken);
}
