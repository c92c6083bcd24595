namespace FederationEgress.Security.Tls;

/// <summary>Options of the outbound TLS policy, section <c>Tls</c>.</summary>
public sealed class TlsOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Tls";

    /// <summary>Lowest TLS version offered: "1.2" (default) or "1.3".</summary>
    public string MinimumVersion { get; set; } = "1.2";

    /// <summary>
    /// PEM bundles of extra trusted CAs. A certificate is accepted when it chains to a system root
    /// or to one of these (the name check still applies).
    /// </summary>
    public List<string> ExtraCaFiles { get; set; } = [];

    /// <summary>
    /// Where certificate verification is skipped entirely: domain patterns matched against the TLS
    /// name (exact, <c>*.suffix</c>, globs with <c>*</c> and <c>?</c>; case-insensitive; anchored;
    /// A-labels only) and CIDR netmasks matched against the connected remote IP. Empty by default.
    /// </summary>
    public List<string> SkipVerification { get; set; } = [];
}
