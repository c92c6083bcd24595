using FederationEgress.ServerNames;

namespace FederationEgress.Discovery.WellKnown;

/// <summary>The result of fetching <c>https://&lt;host&gt;/.well-known/matrix/server</c> once (with its redirects and retries).</summary>
/// <param name="Outcome">Valid, permanent or temporary failure.</param>
/// <param name="Failure">The failure reason (<see cref="WellKnownFailure.None"/> when valid).</param>
/// <param name="Url">The URL first requested.</param>
/// <param name="Delegation">The parsed <c>m.server</c> when valid.</param>
/// <param name="StatusCode">The final HTTP status, when a response was received.</param>
/// <param name="HeaderCachePeriod">The period from Cache-Control/Expires, or null when the headers give none.</param>
/// <param name="Message">A human explanation for traces and reports.</param>
/// <param name="Redirects">The URLs redirected to, in order.</param>
/// <param name="Attempts">How many attempts were made (retries only when the domain had a valid answer recently).</param>
public sealed record WellKnownFetchResult(
    WellKnownOutcome Outcome,
    WellKnownFailure Failure,
    string Url,
    ServerName? Delegation,
    int? StatusCode,
    TimeSpan? HeaderCachePeriod,
    string Message,
    IReadOnlyList<string> Redirects,
    int Attempts = 1)
{
    /// <summary>Whether another attempt could help (connect/TLS errors and 5xx; never too large, timeouts or permanent failures).</summary>
    public bool IsRetryable => Failure is WellKnownFailure.ConnectError or WellKnownFailure.TlsError or WellKnownFailure.ServerError;

    /// <summary>The start of the 200 response body (UTF-8, at most <see cref="ReportedBodyChars"/> characters), for diagnostic reports.</summary>
    public string? Body { get; init; }

    /// <summary>The 200 response's Cache-Control header, for diagnostic reports.</summary>
    public string? CacheControl { get; init; }

    /// <summary>The 200 response's Expires header, for diagnostic reports.</summary>
    public string? Expires { get; init; }

    /// <summary>How much of the body reports keep (well-known documents are tens of bytes; this bounds the cache's memory).</summary>
    public const int ReportedBodyChars = 1024;

    /// <summary>snake_case outcome for traces and metrics.</summary>
    public string OutcomeName => Outcome switch
    {
        WellKnownOutcome.Valid => "valid",
        WellKnownOutcome.PermanentFailure => "permanent_failure",
        _ => "temporary_failure",
    };
}
