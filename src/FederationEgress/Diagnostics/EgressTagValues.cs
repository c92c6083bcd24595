using FederationEgress.Discovery;

namespace FederationEgress.Diagnostics;

/// <summary>
/// The closed sets of tag values, as interned constants so recording a measurement never allocates
/// and every folder spells them the same way.
/// </summary>
public static class EgressTagValues
{
    /// <summary><see cref="EgressTagNames.Cache"/>: served from cache.</summary>
    public const string CacheHit = "hit";

    /// <summary><see cref="EgressTagNames.Cache"/>: not cached (or expired); computed now.</summary>
    public const string CacheMiss = "miss";

    /// <summary><see cref="EgressTagNames.Cache"/>: expired entry served because a refresh failed.</summary>
    public const string CacheStale = "stale";

    /// <summary><see cref="EgressTagNames.Outcome"/>: the operation produced a result.</summary>
    public const string Success = "success";

    /// <summary><see cref="EgressTagNames.Outcome"/>: the operation failed; <see cref="EgressTagNames.ErrorType"/> says how.</summary>
    public const string Failure = "failure";

    /// <summary><see cref="EgressTagNames.DiscoveryStep"/> when discovery failed before choosing a branch.</summary>
    public const string NoStep = "none";

    /// <summary><see cref="EgressTagNames.StatusClass"/> when no response arrived.</summary>
    public const string NoStatus = "none";

    /// <summary><see cref="EgressTagNames.WellKnownResult"/>: valid document with <c>m.server</c>.</summary>
    public const string WellKnownDelegated = "delegated";

    /// <summary><see cref="EgressTagNames.WellKnownResult"/>: 404 or other non-200 status.</summary>
    public const string WellKnownNotFound = "not_found";

    /// <summary><see cref="EgressTagNames.WellKnownResult"/>: 200 with a body that is not a valid delegation.</summary>
    public const string WellKnownInvalid = "invalid";

    /// <summary><see cref="EgressTagNames.WellKnownResult"/>: connection, TLS or protocol failure.</summary>
    public const string WellKnownError = "error";

    /// <summary><see cref="EgressTagNames.WellKnownResult"/>: answered from the well-known cache, nothing fetched.</summary>
    public const string WellKnownCached = "cached";

    /// <summary><see cref="EgressTagNames.WellKnownResult"/>: no answer in time.</summary>
    public const string WellKnownTimeout = "timeout";

    /// <summary><see cref="EgressTagNames.Cache"/>: a background refresh of a cached entry.</summary>
    public const string CacheRefresh = "refresh";

    /// <summary><see cref="EgressTagNames.Cache"/>: a diagnostic report that neither read nor wrote the cache.</summary>
    public const string CacheBypass = "bypass";

    /// <summary><see cref="EgressTagNames.Direction"/>: client to destination.</summary>
    public const string Upstream = "upstream";

    /// <summary><see cref="EgressTagNames.Direction"/>: destination to client.</summary>
    public const string Downstream = "downstream";

    /// <summary><see cref="EgressTagNames.PolicyReason"/>: a dialled IP address is in a denied range.</summary>
    public const string PolicyForbiddenRange = "forbidden_range";

    /// <summary><see cref="EgressTagNames.PolicyReason"/>: the destination server name is denied.</summary>
    public const string PolicyDestinationDenied = "destination_denied";

    /// <summary><see cref="EgressTagNames.PolicyReason"/>: the client failed authentication or came from a forbidden range.</summary>
    public const string PolicyClientDenied = "client_denied";

    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    /// <summary>The snake_case tag value of a discovery step, e.g. <c>WellKnownSrv</c> → "well_known_srv".</summary>
    public static string Step(DiscoveryStep step) => step switch
    {
        DiscoveryStep.IpLiteral => "ip_literal",
        DiscoveryStep.ExplicitPort => "explicit_port",
        DiscoveryStep.WellKnownIpLiteral => "well_known_ip_literal",
        DiscoveryStep.WellKnownExplicitPort => "well_known_explicit_port",
        DiscoveryStep.WellKnownSrv => "well_known_srv",
        DiscoveryStep.WellKnownDefaultPort => "well_known_default_port",
        DiscoveryStep.Srv => "srv",
        DiscoveryStep.DefaultPort => "default_port",
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "Unknown discovery step."),
    };

    /// <summary>"2xx" for 200–299 and so on; <see cref="NoStatus"/> for null or a code outside 100–599.</summary>
    public static string StatusClass(int? statusCode) =>
        statusCode is >= 100 and <= 599 ? StatusClasses[(statusCode.Value / 100) - 1] : NoStatus;
}
