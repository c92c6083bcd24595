namespace FederationEgress.Diagnostics.Report;

/// <summary>The well-known fetch behind a "well_known" step.</summary>
public sealed record ResolveReportWellKnown
{
    /// <summary>The URL first requested.</summary>
    public required string Url { get; init; }

    /// <summary>The final HTTP status, when a response arrived.</summary>
    public int? Status { get; init; }

    /// <summary>"valid", "permanent_failure" or "temporary_failure".</summary>
    public required string Outcome { get; init; }

    /// <summary>The failure class (snake_case of <c>WellKnownFailure</c>), absent when valid.</summary>
    public string? Failure { get; init; }

    /// <summary>Human explanation.</summary>
    public required string Message { get; init; }

    /// <summary>The <c>m.server</c> value when valid.</summary>
    public string? MServer { get; init; }

    /// <summary>The start of the 200 response body.</summary>
    public string? Body { get; init; }

    /// <summary>The Cache-Control response header.</summary>
    public string? CacheControl { get; init; }

    /// <summary>The Expires response header.</summary>
    public string? Expires { get; init; }

    /// <summary>The cache period the headers asked for, in seconds (before clamping), if any.</summary>
    public double? HeaderCacheSeconds { get; init; }

    /// <summary>URLs redirected to, in order.</summary>
    public required IReadOnlyList<string> Redirects { get; init; }

    /// <summary>Attempts made (retries only when the host had a valid answer recently).</summary>
    public int Attempts { get; init; }
}
