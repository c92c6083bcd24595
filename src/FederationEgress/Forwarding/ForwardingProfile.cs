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
        string? failureErrCodeOverride = null)
    {
        Name = name;
        RequestHeaderAllowList = requestHeaderAllowList;
        ErrorMessageKey = errorMessageKey;
        FailureStatusOverride = failureStatusOverride;
        FailureErrCodeOverride = failureErrCodeOverride;
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
}
