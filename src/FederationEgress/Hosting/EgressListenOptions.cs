namespace FederationEgress.Hosting;

/// <summary>Where homeservers send requests (configuration section "Listen").</summary>
public sealed class EgressListenOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Listen";

    /// <summary>IP address to listen on; loopback by default so nothing outside the host can use the proxy.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>TCP port (0 picks a free one).</summary>
    public int Port { get; set; } = 8009;
}
