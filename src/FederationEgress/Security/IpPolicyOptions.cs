namespace FederationEgress.Security;

/// <summary>Options of the egress IP policy, section <c>IpPolicy</c>.</summary>
public sealed class IpPolicyOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "IpPolicy";

    /// <summary>When true (default), the built-in deny list (<see cref="IpRanges.DefaultDenyList"/>) applies.</summary>
    public bool UseDefaultDenyList { get; set; } = true;

    /// <summary>Extra CIDRs to deny, added to the defaults; IPv4 entries also deny their IPv6 embeddings.</summary>
    public List<string> DenyRanges { get; set; } = [];

    /// <summary>
    /// CIDRs that may be dialled even when denied (private federations, tests). Unspecified
    /// addresses (0.0.0.0, ::) stay denied.
    /// </summary>
    public List<string> AllowRanges { get; set; } = [];
}
