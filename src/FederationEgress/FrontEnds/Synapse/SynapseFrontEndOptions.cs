namespace FederationEgress.FrontEnds.Synapse;

/// <summary>
/// The listener for Synapse's outbound federation proxy protocol (<c>outbound_federation_restricted_to</c>),
/// bound from the "Synapse" configuration section.
/// </summary>
public sealed class SynapseFrontEndOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Synapse";

    /// <summary>Whether the dedicated listener is opened. Off by default.</summary>
    public bool Enabled { get; set; }

    /// <summary>IP address to listen on (ignored when <see cref="UnixSocketPath"/> is set).</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>TCP port to listen on (ignored when <see cref="UnixSocketPath"/> is set).</summary>
    public int Port { get; set; } = 8011;

    /// <summary>When set, listen on this Unix domain socket instead of TCP (Synapse: <c>path:</c> in instance_map).</summary>
    public string? UnixSocketPath { get; set; }

    /// <summary>Synapse's <c>worker_replication_secret</c>, expected as <c>Proxy-Authorization: Bearer …</c>.</summary>
    public string? SharedSecret { get; set; }

    /// <summary>A file holding the secret (surrounding whitespace trimmed); alternative to <see cref="SharedSecret"/>.</summary>
    public string? SharedSecretFile { get; set; }

    /// <summary>
    /// PEM certificate (chain) for serving the Synapse listener over TLS, for Synapse's
    /// <c>instance_map</c> entry with <c>tls: true</c>. Set together with <see cref="TlsKeyFile"/>;
    /// both files are re-read when they change (certificate rotation needs no restart).
    /// </summary>
    public string? TlsCertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="TlsCertificateFile"/>.</summary>
    public string? TlsKeyFile { get; set; }

    /// <summary>Ceiling until upstream response headers, as in Synapse's own proxy (90 s).</summary>
    public int RequestTimeoutSeconds { get; set; } = 90;
}
