using FederationEgress.Discovery.WellKnown;
using FederationEgress.Errors;

namespace FederationEgress.Discovery;

/// <summary>What one diagnostic resolution did, step by step (rendered as JSON or by the CLI).</summary>
public sealed class DiscoveryReport
{
    /// <summary>The server name resolved, as received.</summary>
    public required string ServerName { get; init; }

    /// <summary>When the resolution started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>How long it took.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>"hit" (answered from the resolution cache), "miss" (resolved and cached) or "bypass".</summary>
    public required string Cache { get; init; }

    /// <summary>The result, when discovery succeeded.</summary>
    public Resolution? Resolution { get; init; }

    /// <summary>The failure, when discovery failed.</summary>
    public EgressError? Error { get; init; }

    /// <summary>Every step tried, in order.</summary>
    public required IReadOnlyList<DiscoveryTraceStep> Steps { get; init; }

    /// <summary>The well-known cache entry for the host after the resolution (null for IP literals, explicit ports, or nothing cached).</summary>
    public WellKnownCacheEntry? WellKnownCacheEntry { get; init; }
}
