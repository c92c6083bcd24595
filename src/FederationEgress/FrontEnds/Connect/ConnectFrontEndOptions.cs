namespace FederationEgress.FrontEnds.Connect;

/// <summary>
/// The optional HTTP CONNECT forward-proxy listener for homeservers that only speak <c>https_proxy</c>
/// (Synapse's fallback, Dendrite, conduwuit/continuwuity), bound from the "Connect" section.
/// </summary>
public sealed class ConnectFrontEndOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Connect";

    /// <summary>Ports tunnels may reach when <see cref="AllowedPorts"/> is not configured.</summary>
    public static readonly IReadOnlyList<int> DefaultAllowedPorts = [443, 8448];

    /// <summary>Whether the listener is opened. Off by default.</summary>
    public bool Enabled { get; set; }

    /// <summary>IP address to listen on.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>TCP port to listen on.</summary>
    public int Port { get; set; } = 8012;

    /// <summary>Destination ports a tunnel may reach; null means <see cref="DefaultAllowedPorts"/> (443, 8448).</summary>
    /// <remarks>An array (not a list with defaults) because the configuration binder appends to pre-filled lists.</remarks>
    public int[]? AllowedPorts { get; set; }

    /// <summary>When set with <see cref="Password"/>, clients must send <c>Proxy-Authorization: Basic base64(user:password)</c>.</summary>
    public string? Username { get; set; }

    /// <summary>Password for <see cref="Username"/>.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Alternative to user/password: clients send <c>Proxy-Authorization: Bearer &lt;token&gt;</c> or
    /// Basic with the token as password (any user name), as in <c>http://egress:&lt;token&gt;@proxy:8012</c>.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>A tunnel with no bytes in either direction for this long is closed; also bounds reading the CONNECT head.</summary>
    public int IdleTimeoutSeconds { get; set; } = 300;

    /// <summary>Limit for each TCP connect attempt to a destination address.</summary>
    public int ConnectTimeoutSeconds { get; set; } = 10;

    /// <summary>The ports in effect.</summary>
    public IReadOnlyList<int> EffectiveAllowedPorts => AllowedPorts ?? DefaultAllowedPorts;
}
