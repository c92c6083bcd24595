namespace FederationEgress.Discovery.WellKnown;

/// <summary>Why a well-known fetch failed (for traces, reports and the outcome classification).</summary>
public enum WellKnownFailure
{
    /// <summary>No failure.</summary>
    None,

    /// <summary>A non-200 status other than 5xx (permanent).</summary>
    HttpStatus,

    /// <summary>A 5xx status (temporary, retried).</summary>
    ServerError,

    /// <summary>The body is not JSON (permanent).</summary>
    InvalidJson,

    /// <summary>The JSON body is not an object (permanent).</summary>
    NotAnObject,

    /// <summary><c>m.server</c> is missing or empty (permanent).</summary>
    MissingServer,

    /// <summary><c>m.server</c> is not a string, not ASCII or not a valid server name (permanent).</summary>
    InvalidServer,

    /// <summary>The body is larger than the limit (temporary, not retried).</summary>
    TooLarge,

    /// <summary>The total time bound ran out (temporary).</summary>
    Timeout,

    /// <summary>DNS, connect or address-policy failure (temporary, retried).</summary>
    ConnectError,

    /// <summary>TLS handshake or certificate validation failed (temporary, retried).</summary>
    TlsError,

    /// <summary>A redirect went back to a URL already visited (temporary, as Synapse).</summary>
    RedirectLoop,

    /// <summary>More redirects than allowed (temporary, as Synapse).</summary>
    TooManyRedirects,

    /// <summary>A redirect without Location, to a non-https URL, or unparseable (permanent).</summary>
    InvalidRedirect,
}
