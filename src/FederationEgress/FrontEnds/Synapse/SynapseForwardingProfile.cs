using FederationEgress.Errors;
using FederationEgress.Forwarding;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace FederationEgress.FrontEnds.Synapse;

/// <summary>
/// The <see cref="ForwardingProfile"/> for requests from the Synapse listener: what Synapse's own
/// <c>ProxyResource</c> does (only User-Agent, Authorization and Content-Type forwarded; every failure
/// before response headers is 502 <c>{"errcode":"M_UNKNOWN","err":"ProxyResource: Error when proxying
/// request: PUT matrix-federation://… -> …"}</c>; 90 s ceiling).
/// </summary>
internal sealed class SynapseForwardingProfile
{
    /// <summary>Profile name in logs, metrics and traces.</summary>
    public const string Name = "synapse";

    /// <summary>The request headers Synapse's proxy copies upstream.</summary>
    public static readonly IReadOnlySet<string> RequestHeaderAllowList =
        new HashSet<string>(["User-Agent", "Authorization", "Content-Type"], StringComparer.OrdinalIgnoreCase);

    private const string FailurePrefix = "ProxyResource: Error when proxying request: ";
    private const string Scheme = "matrix-federation://";

    public SynapseForwardingProfile(IOptions<SynapseFrontEndOptions> options)
    {
        Profile = new ForwardingProfile(
            Name,
            RequestHeaderAllowList,
            errorMessageKey: "err",
            failureStatusOverride: StatusCodes.Status502BadGateway,
            failureErrCodeOverride: "M_UNKNOWN",
            failureMessageFormatter: FormatFailure,
            responseHeadersTimeout: TimeSpan.FromSeconds(options.Value.RequestTimeoutSeconds));
        Feature = new ForwardingProfileFeature(Profile);
    }

    /// <summary>The profile.</summary>
    public ForwardingProfile Profile { get; }

    /// <summary>The feature set on every authorised Synapse request.</summary>
    public IForwardingProfileFeature Feature { get; }

    /// <summary>Synapse's failure text: <c>ProxyResource: Error when proxying request: METHOD uri -> step: reason</c>.</summary>
    public static string FormatFailure(HttpContext context, EgressError error)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.ToString();
        return $"{FailurePrefix}{context.Request.Method} {ToOriginalUri(rawTarget)} -> {error}";
    }

    /// <summary>Turns a rewritten target <c>/authority/path?q</c> back into <c>matrix-federation://authority/path?q</c>.</summary>
    public static string ToOriginalUri(string rewrittenTarget)
    {
        if (rewrittenTarget.Length < 2 || rewrittenTarget[0] != '/')
        {
            return rewrittenTarget;
        }

        var end = rewrittenTarget.AsSpan(1).IndexOfAny('/', '?');
        var authorityEnd = end < 0 ? rewrittenTarget.Length : end + 1;
        var authority = Uri.UnescapeDataString(rewrittenTarget[1..authorityEnd]);
        return Scheme + authority + rewrittenTarget[authorityEnd..];
    }
}
