using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using FederationEgress.Discovery;
using FederationEgress.Errors;

namespace FederationEgress.Diagnostics;

/// <summary>
/// Sets the documented attributes on the proxy's spans, so every folder tags resolutions and
/// failures the same way. All methods accept null (no listener, no span) and skip work when the
/// span is not recorded.
/// </summary>
public static class EgressActivityExtensions
{
    /// <summary>
    /// True when someone records <paramref name="activity"/>: all data requested and its source has
    /// listeners. ASP.NET Core and HttpClient create activities even when nothing listens (for log
    /// correlation and propagation); those report all data requested, and tagging them would
    /// allocate a dozen attribute nodes per request that nobody reads.
    /// </summary>
    public static bool IsTraced([NotNullWhen(true)] this Activity? activity) =>
        activity is { IsAllDataRequested: true } && activity.Source.HasListeners();

    /// <summary>
    /// Tags a <see cref="EgressSpanNames.Resolve"/> span (or the incoming request span) with the
    /// outcome of discovery: step, delegated name, Host header, TLS name and the ordered endpoints.
    /// </summary>
    public static Activity? SetResolution(this Activity? activity, Resolution resolution)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        if (!activity.IsTraced())
        {
            return activity;
        }

        activity.SetTag(EgressTagNames.ServerName, resolution.ServerName.Value);
        activity.SetTag(EgressTagNames.DiscoveryStep, EgressTagValues.Step(resolution.Step));
        activity.SetTag(EgressTagNames.HostHeader, resolution.HostHeader);
        if (resolution.TlsName is not null)
        {
            activity.SetTag(EgressTagNames.TlsName, resolution.TlsName);
        }

        if (resolution.DelegatedName is not null)
        {
            activity.SetTag(EgressTagNames.DelegatedName, resolution.DelegatedName);
        }

        var endpoints = new string[resolution.Endpoints.Count];
        for (var i = 0; i < endpoints.Length; i++)
        {
            endpoints[i] = resolution.Endpoints[i].EndPoint.ToString();
        }

        activity.SetTag(EgressTagNames.Endpoints, endpoints);
        return activity;
    }

    /// <summary>
    /// Tags the incoming-request span with the destination the homeserver named, so traces can be
    /// searched by <c>matrix.server_name</c> even when resolution fails early.
    /// </summary>
    public static Activity? SetServerName(this Activity? activity, ServerNames.ServerName serverName)
    {
        ArgumentNullException.ThrowIfNull(serverName);
        if (activity.IsTraced())
        {
            activity.SetTag(EgressTagNames.ServerName, serverName.Value);
        }

        return activity;
    }

    /// <summary>Tags the cache outcome ("hit", "miss", "stale") of the lookup the span covers.</summary>
    public static Activity? SetCacheOutcome(this Activity? activity, string cache)
    {
        activity?.SetTag(EgressTagNames.Cache, cache);
        return activity;
    }

    /// <summary>
    /// Marks the span failed: <c>error.type</c> from the kind, status Error with the human reason
    /// ("step: message"), which never contains secrets or client addresses.
    /// </summary>
    public static Activity? SetEgressError(this Activity? activity, EgressError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (activity is null)
        {
            return null;
        }

        activity.SetTag(EgressTagNames.ErrorType, EgressErrorMapper.TypeName(error.Kind));
        activity.SetStatus(ActivityStatusCode.Error, error.ToString());
        return activity;
    }
}
