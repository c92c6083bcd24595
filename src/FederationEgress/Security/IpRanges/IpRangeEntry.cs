namespace FederationEgress.Security.IpRanges;

/// <summary>A network in an <see cref="IpRangeSet"/> with a human description ("loopback", "configured").</summary>
/// <param name="Network">The network.</param>
/// <param name="Description">What the range is, for denial reasons.</param>
public readonly record struct IpRangeEntry(IpNetwork Network, string Description)
{
    /// <summary>Formats as <c>127.0.0.0/8 (loopback)</c>.</summary>
    public override string ToString() => $"{Network} ({Description})";
}
