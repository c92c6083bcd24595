namespace FederationEgress.Dns;

/// <summary>An SRV record (RFC 2782). <paramref name="Target"/> has no trailing dot; "." becomes ".".</summary>
public sealed record SrvRecord(ushort Priority, ushort Weight, ushort Port, string Target)
{
    /// <summary>True for the "service decidedly not available" record (target ".").</summary>
    public bool IsUnavailableMarker => Target == ".";
}
