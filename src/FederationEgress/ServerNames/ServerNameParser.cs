using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FederationEgress.ServerNames;

/// <summary>
/// Parses server names per the grammar in the spec appendices:
/// <code>
/// server_name = hostname [ ":" port ]
/// port        = 1*5DIGIT
/// hostname    = IPv4address / "[" IPv6address "]" / dns-name
/// IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT
/// IPv6address = 2*45IPv6char
/// dns-name    = 1*255dns-char
/// </code>
/// Non-ASCII names are first converted with IDNA (UTS #46, STD3 rules); what is still outside the
/// grammar is rejected. Pure and allocation-light: it runs on every forwarded request.
/// </summary>
public static class ServerNameParser
{
    /// <summary>The longest input accepted before any work (a 255-char DNS name plus ":65535").</summary>
    public const int MaxLength = 255 + 6;

    private static readonly SearchValues<char> DnsChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.");

    private static readonly SearchValues<char> IPv6Chars =
        SearchValues.Create("0123456789abcdefABCDEF:.");

    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    /// <summary>Parses <paramref name="input"/>; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(ReadOnlySpan<char> input, out ServerName name, out string error)
    {
        name = null!;
        if (input.IsEmpty)
        {
            error = "server name is empty";
            return false;
        }

        if (input.Length > MaxLength * 4)
        {
            error = "server name is too long";
            return false;
        }

        string? converted = null;
        if (!System.Text.Ascii.IsValid(input))
        {
            if (!TryIdna(input, out converted, out error))
            {
                return false;
            }

            input = converted;
        }

        if (input.Length > MaxLength)
        {
            error = "server name is too long";
            return false;
        }

        // Split host and port. An IPv6 literal is bracketed, so its colons never look like a port.
        ReadOnlySpan<char> host;
        ReadOnlySpan<char> portText = default;
        bool hasPort;
        if (input[0] == '[')
        {
            var close = input.IndexOf(']');
            if (close < 0)
            {
                error = "IPv6 literal is missing its closing ']'";
                return false;
            }

            host = input[..(close + 1)];
            var rest = input[(close + 1)..];
            hasPort = !rest.IsEmpty;
            if (hasPort)
            {
                if (rest[0] != ':')
                {
                    error = "unexpected characters after the IPv6 literal";
                    return false;
                }

                portText = rest[1..];
            }
        }
        else
        {
            var colon = input.IndexOf(':');
            hasPort = colon >= 0;
            host = hasPort ? input[..colon] : input;
            if (hasPort)
            {
                portText = input[(colon + 1)..];
            }
        }

        int? port = null;
        if (hasPort)
        {
            if (!TryParsePort(portText, out var p, out error))
            {
                return false;
            }

            port = p;
        }

        if (!TryParseHost(host, out var kind, out var address, out error))
        {
            return false;
        }

        var value = converted ?? input.ToString();
        var hostString = value.Length == host.Length ? value : host.ToString();
        name = new ServerName(value, hostString, kind, address, port);
        error = string.Empty;
        return true;
    }

    /// <summary>Parses a port: 1 to 5 digits, value 1..65535.</summary>
    internal static bool TryParsePort(ReadOnlySpan<char> text, out int port, out string error)
    {
        port = 0;
        if (text.IsEmpty || text.Length > 5)
        {
            error = text.IsEmpty ? "port is empty" : "port has more than 5 digits";
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                error = "port is not a decimal number";
                return false;
            }

            port = (port * 10) + (c - '0');
        }

        if (port is < 1 or > 65535)
        {
            error = "port is outside 1-65535";
            return false;
        }

        error = string.Empty;
        return true;
    }

    private static bool TryParseHost(ReadOnlySpan<char> host, out HostKind kind, out IPAddress? address, out string error)
    {
        address = null;
        kind = HostKind.DnsName;
        if (host.IsEmpty)
        {
            error = "hostname is empty";
            return false;
        }

        if (host[0] == '[')
        {
            kind = HostKind.IPv6;
            var inner = host[1..^1];
            if (inner.Length is < 2 or > 45 || inner.ContainsAnyExcept(IPv6Chars))
            {
                error = "IPv6 literal contains characters outside the grammar";
                return false;
            }

            if (!IPAddress.TryParse(inner, out address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = "IPv6 literal is not a valid IPv6 address";
                return false;
            }

            error = string.Empty;
            return true;
        }

        if (host.Length > 255)
        {
            error = "hostname is longer than 255 characters";
            return false;
        }

        if (host.ContainsAnyExcept(DnsChars))
        {
            error = "hostname contains characters outside [A-Za-z0-9.-]";
            return false;
        }

        if (LooksLikeIPv4(host))
        {
            kind = HostKind.IPv4;
            if (!TryParseDottedQuad(host, out address))
            {
                error = "IPv4 literal is not a valid dotted-quad address";
                return false;
            }

            error = string.Empty;
            return true;
        }

        // "2130706433", "127.1", "0x7f.1": dns-chars only, yet lenient IPv4 parsers (IPAddress,
        // System.Uri, inet_aton) read them as addresses, so a URI or resolver downstream would
        // dial an IP the name never showed. No real hostname looks like this (TLDs are not numeric).
        if (IPAddress.TryParse(host, out _))
        {
            error = "hostname is a non-canonical IPv4 spelling (write the dotted quad a.b.c.d)";
            return false;
        }

        // The grammar allows any run of dns-chars; labels must still be usable in DNS and TLS,
        // so reject empty labels (leading, trailing or doubled dots) and over-long labels.
        foreach (var range in host.Split('.'))
        {
            var label = host[range];
            if (label.IsEmpty)
            {
                error = "hostname has an empty label";
                return false;
            }

            if (label.Length > 63)
            {
                error = "hostname has a label longer than 63 characters";
                return false;
            }
        }

        error = string.Empty;
        return true;
    }

    // 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT: only digits and exactly three dots.
    private static bool LooksLikeIPv4(ReadOnlySpan<char> host)
    {
        var dots = 0;
        foreach (var c in host)
        {
            if (c == '.')
            {
                dots++;
            }
            else if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return dots == 3;
    }

    private static bool TryParseDottedQuad(ReadOnlySpan<char> host, out IPAddress? address)
    {
        address = null;
        Span<byte> bytes = stackalloc byte[4];
        var i = 0;
        foreach (var range in host.Split('.'))
        {
            var part = host[range];
            if (part.Length is < 1 or > 3 || !int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v > 255)
            {
                return false;
            }

            bytes[i++] = (byte)v;
        }

        address = new IPAddress(bytes);
        return true;
    }

    private static bool TryIdna(ReadOnlySpan<char> input, out string? converted, out string error)
    {
        converted = null;
        // Only the hostname is converted; a port (after the last ':') stays as written.
        var colon = input.LastIndexOf(':');
        var host = colon >= 0 ? input[..colon] : input;
        try
        {
            var ascii = Idn.GetAscii(host.ToString());
            converted = colon >= 0 ? string.Concat(ascii, input[colon..]) : ascii;
            error = string.Empty;
            return true;
        }
        catch (ArgumentException)
        {
            error = "hostname is not a valid internationalised domain name";
            return false;
        }
    }
}
