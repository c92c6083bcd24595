using FederationEgress.Discovery;
using FederationEgress.ServerNames;

namespace FederationEgress.Diagnostics.Report;

/// <summary>
/// Produces <see cref="ResolveReport"/>s for the management endpoint and the CLI, from the same
/// resolver, caches, address policy and TLS policy that serve forwarded requests.
/// </summary>
public sealed class ResolveDiagnostics
{
    private readonly IServerResolverDiagnostics _resolver;
    private readonly TlsEndpointChecker _tls;

    internal ResolveDiagnostics(IServerResolverDiagnostics resolver, TlsEndpointChecker tls)
    {
        _resolver = resolver;
        _tls = tls;
    }

    /// <summary>Validates <paramref name="serverName"/> as the forwarder does; <paramref name="error"/> says why it is not a server name.</summary>
    public static bool TryParse(string serverName, out ServerName name, out string error) =>
        ServerNameParser.TryParse(serverName, out name, out error);

    /// <summary>
    /// Resolves <paramref name="name"/> step by step. <paramref name="fresh"/> bypasses the
    /// resolution and well-known caches without writing them; <paramref name="connect"/> adds a TLS
    /// check of every endpoint. Failures are reported, not thrown.
    /// </summary>
    public async Task<ResolveReport> ResolveAsync(string askedName, ServerName name, bool fresh, bool connect, CancellationToken cancellationToken)
    {
        var report = await _resolver.ResolveWithReportAsync(name, fresh, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<EndpointTlsCheck>? checks = null;
        if (connect && report.Resolution is { } resolution)
        {
            checks = await _tls.CheckAllAsync(resolution, cancellationToken).ConfigureAwait(false);
        }

        return ResolveReportFactory.Create(askedName, report, checks);
    }
}
