using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FederationEgress.FrontEnds.Connect;

/// <summary>
/// Parses a CONNECT head: Synapse's <c>CONNECT host:port HTTP/1.0</c> (no Host; IPv6 literals
/// unbracketed, so the last colon splits the port) and Go's/reqwest's HTTP/1.1 form with Host.
/// </summary>
internal static class ConnectRequestParser
{
    /// <summary>Largest CONNECT head accepted.</summary>
    public const int MaxHeadBytes = 8 * 1024;

    private const int MaxHostLength = 253;

    /// <summary>Tries to parse a head from the start of <paramref name="buffer"/>.</summary>
    public static ConnectParseStatus TryParse(ReadOnlySequence<byte> buffer, out ConnectRequest? request, out SequencePosition headEnd, out string error)
    {
        request = null;
        headEnd = default;
        error = string.Empty;

        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> head, "\r\n\r\n"u8, advancePastDelimiter: true))
        {
            if (buffer.Length > MaxHeadBytes)
            {
                error = "request head exceeds " + MaxHeadBytes + " bytes";
                return ConnectParseStatus.Invalid;
            }

            return ConnectParseStatus.Incomplete;
        }

        if (head.Length + 4 > MaxHeadBytes)
        {
            error = "request head exceeds " + MaxHeadBytes + " bytes";
            return ConnectParseStatus.Invalid;
        }

        headEnd = reader.Position;
        var text = Encoding.Latin1.GetString(head);
        var lines = text.Split("\r\n");
        if (lines.Any(l => l.Contains('\n', StringComparison.Ordinal)))
        {
            error = "bare LF in the request head";
            return ConnectParseStatus.Invalid;
        }

        if (lines.Any(l => l.Contains('\r', StringComparison.Ordinal)))
        {
            error = "bare CR in the request head";
            return ConnectParseStatus.Invalid;
        }

        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || !HttpSyntax.IsToken(Encoding.Latin1.GetBytes(parts[0])))
        {
            error = "malformed request line";
            return ConnectParseStatus.Invalid;
        }

        if (parts[2] is not ("HTTP/1.1" or "HTTP/1.0"))
        {
            error = "unsupported HTTP version";
            return ConnectParseStatus.Invalid;
        }

        var authorization = new List<string>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (line.Length == 0 || line[0] is ' ' or '\t' || colon <= 0 || !HttpSyntax.IsToken(Encoding.Latin1.GetBytes(line[..colon])))
            {
                error = "malformed header field";
                return ConnectParseStatus.Invalid;
            }

            var value = line[(colon + 1)..].Trim(' ', '\t');
            if (!HttpSyntax.IsValidFieldValue(Encoding.Latin1.GetBytes(value)))
            {
                error = "control character in a header value";
                return ConnectParseStatus.Invalid;
            }

            if (line.AsSpan(0, colon).Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase))
            {
                authorization.Add(value);
            }
        }

        if (parts[0] != "CONNECT")
        {
            request = new ConnectRequest(parts[0], string.Empty, 0, null, authorization);
            return ConnectParseStatus.Complete;
        }

        if (!TryParseTarget(parts[1], out var host, out var port, out var address))
        {
            error = $"malformed CONNECT target '{Truncate(parts[1])}' (expected host:port)";
            return ConnectParseStatus.Invalid;
        }

        request = new ConnectRequest(parts[0], host, port, address, authorization);
        return ConnectParseStatus.Complete;
    }

    /// <summary>
    /// Parses <c>host:port</c>, <c>[v6]:port</c> or Synapse's unbracketed <c>v6:port</c> (the last
    /// colon splits the port). Host names are lower-cased and lose one trailing dot.
    /// </summary>
    public static bool TryParseTarget(string target, out string host, out int port, out IPAddress? address)
    {
        host = string.Empty;
        port = 0;
        address = null;
        string hostPart;
        string portPart;
        if (target.StartsWith('['))
        {
            var close = target.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= target.Length || target[close + 1] != ':')
            {
                return false;
            }

            hostPart = target[1..close];
            portPart = target[(close + 2)..];
            if (!IPAddress.TryParse(hostPart, out address) || address.AddressFamily != AddressFamily.InterNetworkV6 || hostPart.Contains('%', StringComparison.Ordinal))
            {
                return false;
            }
        }
        else
        {
            var colon = target.LastIndexOf(':');
            if (colon <= 0)
            {
                return false;
            }

            hostPart = target[..colon];
            portPart = target[(colon + 1)..];
            if (hostPart.Contains(':', StringComparison.Ordinal))
            {
                if (!IPAddress.TryParse(hostPart, out address) || address.AddressFamily != AddressFamily.InterNetworkV6 || hostPart.Contains('%', StringComparison.Ordinal))
                {
                    return false;
                }
            }
            else if (IsIPv4Literal(hostPart))
            {
                if (!IPAddress.TryParse(hostPart, out address))
                {
                    return false;
                }
            }
            else if (!IsHostName(hostPart))
            {
                return false;
            }
        }

        if (portPart.Length is 0 or > 5 || !portPart.All(char.IsAsciiDigit)
            || !int.TryParse(portPart, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            return false;
        }

        host = address?.ToString() ?? hostPart.TrimEnd('.').ToLowerInvariant();
        return true;
    }

    private static bool IsIPv4Literal(string host) => host.Length > 0 && host.All(c => char.IsAsciiDigit(c) || c == '.');

    private static bool IsHostName(string host)
    {
        var name = host.EndsWith('.') ? host[..^1] : host;
        if (name.Length is 0 or > MaxHostLength)
        {
            return false;
        }

        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Truncate(string value) => value.Length <= 100 ? value : value[..100] + "…";
}
