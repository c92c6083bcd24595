namespace FederationEgress.Forwarding.Upstream;

/// <summary>
/// Extra trusted CA bundles (configuration section "Tls"), read by the interim
/// <see cref="ExtraCaCertificateValidator"/> until the security area's TLS policy takes over the section.
/// </summary>
public sealed class ExtraCaOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Tls";

    /// <summary>PEM files whose certificates are trusted as roots in addition to the system store.</summary>
    public string[] ExtraCaFiles { get; set; } = [];
}
