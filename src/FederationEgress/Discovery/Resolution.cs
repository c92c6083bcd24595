namespace FederationEgress.Discovery;

/// <summary>
/// Where a server lives, per the spec: the ordered endpoints to try, and the one (Host, TLS name)
/// pair that applies whichever endpoint answers.
/// </summary>
public sealed class Resolution
{
    private const long NoExpiry = -1;

    private readonly long _expiresAtUtcTicks;

    public Resolution(
        ServerNames.ServerName serverName,
        DiscoveryStep step,
        IReadOnlyList<ResolvedEndpoint> endpoints,
        string hostHeader,
        string? tlsName,
        string? delegatedName = null,
        DateTimeOffset? expiresAt = null)
    {
        ServerName = serverName;
        Step = step;

        // Resolutions live in a cache of up to 100,000 entries: an exact-size array (not a List with
        // spare capacity) and UTC ticks (not a nullable DateTimeOffset) keep each entry small.
        Endpoints = endpoints as ResolvedEndpoint[] ?? [.. endpoints];
        HostHeader = hostHeader;
        TlsName = tlsName;
        DelegatedName = delegatedName;
        _expiresAtUtcTicks = expiresAt?.UtcTicks ?? NoExpiry;
    }

    /// <summary>The destination as the homeserver named it.</summary>
    public ServerNames.ServerName ServerName { get; }

    /// <summary>The spec step that produced this result.</summary>
    public DiscoveryStep Step { get; }

    /// <summary>Addresses to dial, best first; connection failover walks this list.</summary>
    public IReadOnlyList<ResolvedEndpoint> Endpoints { get; }

    /// <summary>The Host header to send: server name or delegated name exactly as written, port only if it had one.</summary>
    public string HostHeader { get; }

    /// <summary>The name for SNI and certificate validation, or null when the certificate must be valid for an IP (no SNI).</summary>
    public string? TlsName { get; }

    /// <summary>The well-known <c>m.server</c> value when delegation happened.</summary>
    public string? DelegatedName { get; }

    /// <summary>When the cached parts of this result expire (earliest of the inputs), if known.</summary>
    public DateTimeOffset? ExpiresAt => _expiresAtUtcTicks == NoExpiry ? null : new DateTimeOffset(_expiresAtUtcTicks, TimeSpan.Zero);
}
