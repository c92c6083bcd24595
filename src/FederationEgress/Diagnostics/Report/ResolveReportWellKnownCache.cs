namespace FederationEgress.Diagnostics.Report;

/// <summary>The well-known cache entry of a host.</summary>
public sealed record ResolveReportWellKnownCache
{
    /// <summary>The delegation in force (absent: no delegation, SRV / 8448 of the name itself).</summary>
    public string? Delegation { get; init; }

    /// <summary>When the answer behind it was fetched.</summary>
    public required DateTimeOffset FetchedAt { get; init; }

    /// <summary>Until when the entry answers lookups.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>From when a lookup refetches in the background.</summary>
    public required DateTimeOffset RefreshAt { get; init; }

    /// <summary>Failed fetches since the last valid answer (drives the back-off).</summary>
    public required int ConsecutiveFailures { get; init; }

    /// <summary>Outcome of the latest fetch.</summary>
    public required string LastOutcome { get; init; }

    /// <summary>HTTP status of the latest fetch, if a response arrived.</summary>
    public int? LastStatus { get; init; }
}
