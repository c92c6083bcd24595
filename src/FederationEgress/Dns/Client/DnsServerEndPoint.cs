using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FederationEgress.Dns.Client;

/// <summary>Parses DNS server addresses: "192.0.2.1", "192.0.2.1:5353", "2001:db8::1", "[2001:db8::1]:5353".</summary>
public static class DnsServerEndPoint
{
    /// <summary>The DNS port.</summary>
    public const int DefaultPort = 53;

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out IPEndPoint? endPoint, [NotNullWhen(false)] out string? error)
    {
        endPoint = null;
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            error = "is empty; expected an IP address with an optional port";
            return false;
        }

        string host;
        var port = DefaultPort;
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"'{value}' has '[' without ']'";
                return false;
            }

            host = value[1..close];
            var rest = value[(close + 1)..];
            if (rest.Length > 0 && (rest[0] != ':' || !TryParsePort(rest[1..], out port)))
            {
                error = $"'{value}' has an invalid port (expected [address]:1-65535)";
                return false;
            }

            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"'{value}' does not hold an IPv6 address in brackets";
                return false;
            }

            endPoint = new IPEndPoint(v6, port);
            error = null;
            return true;
        }

        var colons = value.Count(c => c == ':');
        if (colons == 1)
        {
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            host = value[..colon];
            if (!TryParsePort(value[(colon + 1)..], out port))
            {
                error = $"'{value}' has an invalid port (expected 1-65535)";
                return false;
            }
        }
        else
        {
            // Zero colons: IPv4. Several: a bare IPv6 address (write "[v6]:port" for a port).
            host = value;
        }

        if (!IPAddress.TryParse(host, out var address) || (colons == 1 && address.AddressFamily != AddressFamily.InterNetwork)
            || (colons == 0 && !host.Contains('.', StringComparison.Ordinal)))
        {
            error = $"'{value}' is not an IP address (host names are not allowed: they would need DNS)";
            return false;
        }

        endPoint = new IPEndPoint(address, port);
        error = null;
        return true;
    }

    /// <summary>"192.0.2.1:53" / "[2001:db8::1]:53".</summary>
    public static string Format(IPEndPoint endPoint) => endPoint.ToString();

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= ushort.MaxValue;
}
