namespace FederationEgress.FrontEnds.Synapse;

/// <summary>Outcome of checking <c>Proxy-Authorization</c> the way Synapse's <c>ProxyResource</c> does.</summary>
internal enum SynapseAuthResult
{
    /// <summary>Exactly one header, equal to <c>Bearer &lt;secret&gt;</c>.</summary>
    Authorized,

    /// <summary>No header: 401 M_MISSING_TOKEN.</summary>
    Missing,

    /// <summary>More than one header: 401 M_UNAUTHORIZED.</summary>
    TooMany,

    /// <summary>Anything else: 401 M_UNAUTHORIZED.</summary>
    Invalid,
}
