using FederationEgress.Discovery;

namespace FederationEgress.Diagnostics.Report;

/// <summary>Where the server lives: what a forwarded request would use.</summary>
public sealed record ResolveReportResult
{
    /// <summary>The discovery branch, e.g. "well_known_srv".</summary>
    public required DiscoveryStep Step { get; init; }

    /// <summary>The Host header sent.</summary>
    public required string HostHeader { get; init; }

    /// <summary>The SNI / certificate name; absent for IP literals (certificate for the IP, no SNI).</summary>
    public string? TlsName { get; init; }

    /// <summary>The well-known <c>m.server</c> when delegation happened.</summary>
    public string? DelegatedName { get; init; }

    /// <summary>Endpoints in failover order.</summary>
    public required IReadOnlyList<ResolveReportEndpoint> Endpoints { get; init; }

    /// <summary>When the cached resolution expires (absent: never, e.g. IP literals).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}
