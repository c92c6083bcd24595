using System.Net;
using FederationEgress.ServerNames;

namespace FederationEgress.Security.Destinations;

/// <summary>
/// One destination entry: an exact server name or a <c>*.suffix</c> pattern, with an optional
/// port. Hosts compare case-insensitively (IP literals by address); a pattern without a port
/// matches any port, one with a port only that explicit port.
/// </summary>
internal sealed class DestinationPattern
{
    private DestinationPattern(string text, string host, IPAddress? address, bool isSuffix, int? port)
    {
        Text = text;
        Host = host;
        Address = address;
        IsSuffix = isSuffix;
        Port = port;
    }

    /// <summary>The entry as configured.</summary>
    public string Text { get; }

    /// <summary>Lower-case DNS host (for suffix patterns, the part after <c>*.</c>).</summary>
    public string Host { get; }

    /// <summary>For IP-literal entries, the address.</summary>
    public IPAddress? Address { get; }

    /// <summary>True for <c>*.suffix</c> patterns.</summary>
    public bool IsSuffix { get; }

    /// <summary>The required port, or null for any.</summary>
    public int? Port { get; }

    /// <summary>Parses an entry; the error says what is wrong.</summary>
    public static bool TryParse(string? text, out DestinationPattern pattern, out string error)
    {
        pattern = null!;
        var trimmed = text?.Trim() ?? string.Empty;
        var isSuffix = trimmed.StartsWith("*.", StringComparison.Ordinal);
        var rest = isSuffix ? trimmed[2..] : trimmed;
        if (!ServerNameParser.TryParse(rest, out var name, out error))
        {
            error = $"is not a server name or *.suffix pattern: {error}";
            return false;
        }

        if (isSuffix && name.IsIpLiteral)
        {
            error = "is a *.suffix pattern over an IP literal";
            return false;
        }

        pattern = new DestinationPattern(trimmed, name.DnsHost.ToLowerInvariant(), name.Address, isSuffix, name.Port);
        return true;
    }

    /// <summary>True when <paramref name="name"/> matches this entry.</summary>
    public bool Matches(ServerName name)
    {
        if (Port is { } port && name.Port != port)
        {
            return false;
        }

        if (Address is not null)
        {
            return name.Address is not null && name.Address.Equals(Address);
        }

        if (name.IsIpLiteral)
        {
            return false;
        }

        var host = name.DnsHost.AsSpan();
        if (!IsSuffix)
        {
            return host.Equals(Host, StringComparison.OrdinalIgnoreCase);
        }

        // "*.example.org" matches "a.example.org" and "a.b.example.org", not "example.org" or "badexample.org".
        return host.Length > Host.Length + 1 &&
            host.EndsWith(Host, StringComparison.OrdinalIgnoreCase) &&
            host[host.Length - Host.Length - 1] == '.';
    }

    public override string ToString() => Text;
}
