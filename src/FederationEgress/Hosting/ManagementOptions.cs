namespace FederationEgress.Hosting;

/// <summary>Health, readiness and diagnostics listener (configuration section "Management").</summary>
public sealed class ManagementOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Management";

    /// <summary>IP address to listen on.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>TCP port (0 picks a free one).</summary>
    public int Port { get; set; } = 8010;
}
