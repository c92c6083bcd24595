namespace FederationEgress.Diagnostics.Report;

/// <summary>One discovery step of a <see cref="ResolveReport"/>.</summary>
public sealed record ResolveReportStep
{
    /// <summary>"cache", "ip_literal", "well_known", "srv" or "addresses".</summary>
    public required string Name { get; init; }

    /// <summary>What was asked: the well-known URL, the SRV service name, the host name.</summary>
    public required string Input { get; init; }

    /// <summary>"hit", "valid", "permanent_failure", "temporary_failure", "success", "no_data", "name_error", "server_failure", "timeout"…</summary>
    public required string Outcome { get; init; }

    /// <summary>Human detail: HTTP status, cache outcome, DNS error.</summary>
    public string? Detail { get; init; }

    /// <summary>What came back: SRV records ("priority weight port target"), addresses, redirects, endpoints.</summary>
    public required IReadOnlyList<string> Records { get; init; }

    /// <summary>Until when this answer is cached, if it is.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>True when DNS served the answer past its TTL (the server failed).</summary>
    public bool Stale { get; init; }

    /// <summary>Time spent on the step, in milliseconds.</summary>
    public double DurationMs { get; init; }

    /// <summary>For "well_known" steps: the HTTP exchange.</summary>
    public ResolveReportWellKnown? WellKnown { get; init; }
}
