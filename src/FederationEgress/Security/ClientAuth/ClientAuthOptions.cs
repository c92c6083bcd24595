namespace FederationEgress.Security.ClientAuth;

/// <summary>Options of client authentication on the forwarding listener, section <c>ClientAuth</c>.</summary>
public sealed class ClientAuthOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "ClientAuth";

    /// <summary>The default credentials header (<c>Authorization</c> carries the homeserver's X-Matrix signature).</summary>
    public const string DefaultHeaderName = "Proxy-Authorization";

    /// <summary>The token clients must present. Empty (default) with no <see cref="BearerTokenFile"/> = no token check.</summary>
    public string? BearerToken { get; set; }

    /// <summary>A file holding the token (e.g. a mounted Kubernetes Secret); re-read when it changes. Exclusive with <see cref="BearerToken"/>.</summary>
    public string? BearerTokenFile { get; set; }

    /// <summary>The header carrying <c>Bearer &lt;token&gt;</c>; stripped before forwarding. Default <c>Proxy-Authorization</c>.</summary>
    public string HeaderName { get; set; } = DefaultHeaderName;

    /// <summary>CIDRs clients may connect from; empty (default) = any.</summary>
    public List<string> AllowedClientRanges { get; set; } = [];
}
