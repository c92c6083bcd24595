namespace FederationEgress.Discovery.WellKnown;

/// <summary>How one well-known fetch ended.</summary>
public enum WellKnownOutcome
{
    /// <summary>200 with a valid <c>m.server</c>: delegate.</summary>
    Valid,

    /// <summary>The server answered, but not with a usable delegation (4xx, bad JSON, bad <c>m.server</c>): drop any delegation.</summary>
    PermanentFailure,

    /// <summary>No usable answer this time (connect/TLS error, 5xx, timeout, too large): keep a cached delegation.</summary>
    TemporaryFailure,
}
