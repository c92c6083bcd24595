using FederationEgress.Errors;
using Microsoft.AspNetCore.Http;

namespace FederationEgress.Forwarding;

/// <summary>
/// How one front end (path mode, Synapse's worker-proxy protocol, …) wants requests forwarded and
/// failures reported. The forwarding endpoint reads it from <see cref="IForwardingProfileFeature"/>;
/// path mode is the default.
/// </summary>
public sealed class ForwardingProfile
{
    /// <summary>Native path mode: all end-to-end headers pass; errors as <c>{"errcode","error"}</c> with mapped statuses.</summary>
    public static ForwardingProfile PathMode { get; } = new("path");

    public ForwardingProfile(
        string name,
        IReadOnlySet<string>? requestHeaderAllowList = null,
        string errorMessageKey = "error",
        int? failureStatusOverride = null,
        string? failureErrCodeOverride = null,
        Func<HttpContext, EgressError, string>? failureMessageFormatter = null,
        TimeSpan? responseHeadersTimeout = null)
    {
        Name = name;
        RequestHeaderAllowList = requestHeaderAllowList;
        ErrorMessageKey = errorMessageKey;
        FailureStatusOverride = failureStatusOverride;
        FailureErrCodeOverride = failureErrCodeOverride;
        FailureMessageFormatter = failureMessageFormatter;
        ResponseHeadersTimeout = responseHeadersTimeout;
    }

    /// <summary>Name for logs, metrics and traces ("path", "synapse").</summary>
    public string Name { get; }

    /// <summary>When set, only these request headers (case-insensitive) are forwarded; null forwards all end-to-end headers.</summary>
    public IReadOnlySet<string>? RequestHeaderAllowList { get; }

    /// <summary>JSON key of the human reason in error bodies ("error"; Synapse's proxy protocol uses "err").</summary>
    public string ErrorMessageKey { get; }

    /// <summary>When set, every failure before response headers uses this status (Synapse expects 502).</summary>
    public int? FailureStatusOverride { get; }

    /// <summary>When set, every failure before response headers uses this errcode (Synapse expects M_UNKNOWN).</summary>
    public string? FailureErrCodeOverride { get; }

    /// <summary>
    /// When set, builds the human reason written under <see cref="ErrorMessageKey"/> for a failure
    /// before response headers (Synapse: <c>ProxyResource: Error when proxying request: PUT
    /// matrix-federation://… -> dns: …</c>); null uses <see cref="EgressError.ToString"/>.
    /// </summary>
    public Func<HttpContext, EgressError, string>? FailureMessageFormatter { get; }

    /// <summary>
    /// When set, the ceiling from receiving the request to upstream response headers (Synapse's
    /// proxy uses 90 s); reaching it is a <see cref="EgressErrorKind.Timeout"/> failure.
    /// </summary>
    public TimeSpan? ResponseHeadersTimeout { get; }
}
