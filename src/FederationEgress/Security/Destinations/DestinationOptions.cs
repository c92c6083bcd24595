namespace FederationEgress.Security.Destinations;

/// <summary>Options of the destination policy, section <c>Destinations</c>.</summary>
public sealed class DestinationOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Destinations";

    /// <summary>
    /// When non-empty, only these destinations are allowed: server names (<c>example.org</c>,
    /// <c>example.org:8448</c>) or <c>*.suffix</c> patterns (subdomains only). Host compared
    /// case-insensitively; a port in the entry must equal the server name's explicit port.
    /// </summary>
    public List<string> Allow { get; set; } = [];

    /// <summary>Destinations always refused, same syntax as <see cref="Allow"/>; deny wins.</summary>
    public List<string> Deny { get; set; } = [];
}
