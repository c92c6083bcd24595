namespace FederationEgress.Forwarding;

/// <summary>Outbound connection and timeout settings (configuration section "Forwarding").</summary>
public sealed class ForwardingOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Forwarding";

    /// <summary>TCP connect timeout per endpoint; failover moves on after it (dead servers must not tie up requests).</summary>
    public double ConnectTimeoutSeconds { get; set; } = 10;

    /// <summary>Time from TCP connect until the server's certificate has been checked.</summary>
    public double TlsHandshakeTimeoutSeconds { get; set; } = 10;

    /// <summary>Time from the start of forwarding (including the request body upload) until response headers arrive.</summary>
    public double ResponseHeadersTimeoutSeconds { get; set; } = 60;

    /// <summary>Longest pause without progress while streaming a request or response body (YARP's ActivityTimeout).</summary>
    public double IdleBodyTimeoutSeconds { get; set; } = 60;

    /// <summary>Pooled connections are retired after this long, so DNS and policy changes are picked up.</summary>
    public double PooledConnectionLifetimeSeconds { get; set; } = 300;

    /// <summary>Idle pooled connections are closed after this long (Synapse keeps them 120 s).</summary>
    public double PooledConnectionIdleTimeoutSeconds { get; set; } = 120;

    /// <summary>Connections per destination (server name and Host) at most.</summary>
    public int MaxConnectionsPerServer { get; set; } = 16;

    /// <summary>Use HTTP/2 when the remote offers it via ALPN; otherwise always HTTP/1.1.</summary>
    public bool EnableHttp2 { get; set; } = true;

    /// <summary>
    /// Extra request headers never forwarded, on top of hop-by-hop headers, proxy credentials and
    /// client-revealing headers (e.g. a custom client-auth header).
    /// </summary>
    public string[] StripRequestHeaders { get; set; } = [];
}
