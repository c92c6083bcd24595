using System.Net;

namespace FederationEgress.ServerNames;

/// <summary>
/// A validated Matrix server name: <c>hostname [ ":" port ]</c>. Immutable; equality is by
/// <see cref="Value"/> (server names are case-sensitive strings; DNS lookups use <see cref="DnsHost"/>).
/// </summary>
public sealed class ServerName : IEquatable<ServerName>
{
    private const int NoPort = -1;

    // Every cached destination holds one ServerName: the hostname as written is not stored (it is
    // DnsHost unless the name has capitals, and is cut from Value on the rare call), and the port is
    // a plain int, keeping the object at 48 bytes.
    private readonly int _port;

    internal ServerName(string value, string host, HostKind kind, IPAddress? address, int? port)
    {
        Value = value;
        Kind = kind;
        Address = address;
        _port = port ?? NoPort;
        DnsHost = kind == HostKind.DnsName ? host.ToLowerInvariant() : host;
    }

    /// <summary>The server name exactly as received (after IDNA conversion of U-labels): what the Host header carries.</summary>
    public string Value { get; }

    /// <summary>The hostname part as written; IPv6 literals keep their brackets.</summary>
    public string Host
    {
        get
        {
            var host = _port == NoPort ? Value.AsSpan() : Value.AsSpan(0, Value.LastIndexOf(':'));
            return host.SequenceEqual(DnsHost) ? DnsHost : _port == NoPort ? Value : host.ToString();
        }
    }

    /// <summary>The hostname in the form used for DNS questions and TLS names (lower-cased DNS name; IP literal unchanged).</summary>
    public string DnsHost { get; }

    /// <summary>Whether <see cref="Host"/> is a DNS name or an IP literal.</summary>
    public HostKind Kind { get; }

    /// <summary>The IP address for IP literals; null for DNS names.</summary>
    public IPAddress? Address { get; }

    /// <summary>The explicit port, or null when the name has none.</summary>
    public int? Port => _port == NoPort ? null : _port;

    /// <summary>True for IPv4 and IPv6 literals.</summary>
    public bool IsIpLiteral => Kind != HostKind.DnsName;

    /// <summary>Parses a server name, throwing <see cref="FormatException"/> with the reason when invalid.</summary>
    public static ServerName Parse(string input) =>
        ServerNameParser.TryParse(input, out var name, out var error) ? name : throw new FormatException(error);

    /// <inheritdoc cref="ServerNameParser.TryParse(ReadOnlySpan{char}, out ServerName, out string)"/>
    public static bool TryParse(ReadOnlySpan<char> input, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ServerName? name, out string error)
    {
        var ok = ServerNameParser.TryParse(input, out var parsed, out error);
        name = ok ? parsed : null;
        return ok;
    }

    public bool Equals(ServerName? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as ServerName);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    public override string ToString() => Value;
}
