using System.Buffers;
using System.Text;
using FederationEgress.Errors;
using FederationEgress.ServerNames;

namespace FederationEgress.Forwarding;

/// <summary>
/// Splits a path-mode request target <c>/{serverName}/{path-and-query}</c>. The server name may be
/// percent-encoded (only that segment is decoded); the rest is kept byte-for-byte because X-Matrix
/// signatures cover it. Everything that could be re-interpreted on the way (dot-segments, control
/// bytes, fragments, broken escapes) is rejected before any network activity.
/// </summary>
public static class RequestTargetParser
{
    private const string Step = "request target";

    /// <summary>Longest first segment considered: every character of the longest name percent-encoded as 4-byte UTF-8.</summary>
    private const int MaxEncodedNameLength = ServerNameParser.MaxLength * 12;

    /// <summary>What may appear in a target: visible ASCII except '#' (fragments never reach a server).</summary>
    private static readonly SearchValues<char> AllowedChars = SearchValues.Create(
        "!\"$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>Parses <paramref name="rawTarget"/>; on failure <paramref name="error"/> says which part is wrong.</summary>
    public static bool TryParse(string rawTarget, out RequestTarget target, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out EgressError? error)
    {
        target = default;
        if (rawTarget.Length == 0 || rawTarget[0] != '/')
        {
            error = Invalid("the target must be origin-form '/{serverName}/{path}' (absolute-form and '*' are not accepted here)");
            return false;
        }

        var bad = rawTarget.AsSpan().IndexOfAnyExcept(AllowedChars);
        if (bad >= 0)
        {
            error = Invalid(rawTarget[bad] == '#'
                ? "the target contains a fragment ('#')"
                : $"the target contains a control, space or non-ASCII character at offset {bad}");
            return false;
        }

        if (!HasValidEscapes(rawTarget, out var escapeError))
        {
            error = Invalid(escapeError);
            return false;
        }

        var nameEnd = rawTarget.AsSpan(1).IndexOfAny('/', '?');
        nameEnd = nameEnd < 0 ? rawTarget.Length : nameEnd + 1;
        var nameSegment = rawTarget.AsSpan(1, nameEnd - 1);
        if (nameSegment.IsEmpty)
        {
            error = new EgressError(EgressErrorKind.InvalidServerName, "server name", "the first path segment (the destination server name) is empty");
            return false;
        }

        if (nameEnd == rawTarget.Length || rawTarget[nameEnd] != '/')
        {
            error = Invalid("nothing to forward: the server name must be followed by '/{path}'");
            return false;
        }

        if (nameSegment.Length > MaxEncodedNameLength)
        {
            error = new EgressError(EgressErrorKind.InvalidServerName, "server name", "the server name is too long");
            return false;
        }

        var nameText = nameSegment.Contains('%') ? PercentDecode(nameSegment) : null;
        if (nameText is { Length: 0 })
        {
            error = new EgressError(EgressErrorKind.InvalidServerName, "server name", $"'{Truncate(nameSegment)}' is not a valid server name: it is not valid percent-encoded UTF-8");
            return false;
        }

        if (!ServerNameParser.TryParse(nameText ?? nameSegment, out var serverName, out var nameError))
        {
            error = new EgressError(EgressErrorKind.InvalidServerName, "server name", $"'{Truncate(nameSegment)}' is not a valid server name: {nameError}");
            return false;
        }

        var pathAndQuery = rawTarget[nameEnd..];
        if (HasDotSegment(pathAndQuery))
        {
            error = Invalid("the path contains a '.' or '..' segment (also when percent-encoded)");
            return false;
        }

        target = new RequestTarget(serverName, pathAndQuery);
        error = null;
        return true;
    }

    private static EgressError Invalid(string message) => new(EgressErrorKind.InvalidRequestTarget, Step, message);

    private static bool HasValidEscapes(string target, out string error)
    {
        var span = target.AsSpan();
        for (var i = span.IndexOf('%'); i >= 0; i = NextPercent(span, i + 3))
        {
            if (i + 2 >= span.Length || !char.IsAsciiHexDigit(span[i + 1]) || !char.IsAsciiHexDigit(span[i + 2]))
            {
                error = $"bad percent-escape at offset {i}";
                return false;
            }
        }

        error = string.Empty;
        return true;

        static int NextPercent(ReadOnlySpan<char> s, int from)
        {
            if (from >= s.Length)
            {
                return -1;
            }

            var next = s[from..].IndexOf('%');
            return next < 0 ? -1 : next + from;
        }
    }

    /// <summary>True when a path segment (before '?') is "." or ".." with dots possibly written as %2e.</summary>
    private static bool HasDotSegment(string pathAndQuery)
    {
        var query = pathAndQuery.IndexOf('?');
        var path = query < 0 ? pathAndQuery.AsSpan() : pathAndQuery.AsSpan(0, query);
        while (!path.IsEmpty)
        {
            path = path[1..]; // skip '/'
            var end = path.IndexOf('/');
            var segment = end < 0 ? path : path[..end];
            if (IsDots(segment))
            {
                return true;
            }

            path = end < 0 ? default : path[end..];
        }

        return false;
    }

    private static bool IsDots(ReadOnlySpan<char> segment)
    {
        // "." , "..", "%2e", ".%2e", "%2e.", "%2e%2e" (any case): at most 6 characters.
        if (segment.IsEmpty || segment.Length > 6)
        {
            return false;
        }

        var dots = 0;
        while (!segment.IsEmpty)
        {
            if (segment[0] == '.')
            {
                segment = segment[1..];
            }
            else if (segment.Length >= 3 && segment[0] == '%' && segment[1] == '2' && (segment[2] | 0x20) == 'e')
            {
                segment = segment[3..];
            }
            else
            {
                return false;
            }

            dots++;
        }

        return dots <= 2;
    }

    /// <summary>Percent-decodes one segment as UTF-8; returns "" when the bytes are not valid UTF-8.</summary>
    private static string PercentDecode(ReadOnlySpan<char> segment)
    {
        Span<byte> bytes = stackalloc byte[segment.Length];
        var n = 0;
        for (var i = 0; i < segment.Length; i++)
        {
            if (segment[i] == '%')
            {
                bytes[n++] = (byte)((HexValue(segment[i + 1]) << 4) | HexValue(segment[i + 2]));
                i += 2;
            }
            else
            {
                bytes[n++] = (byte)segment[i];
            }
        }

        return System.Text.Unicode.Utf8.IsValid(bytes[..n]) ? Encoding.UTF8.GetString(bytes[..n]) : string.Empty;

        static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }

    private static string Truncate(ReadOnlySpan<char> s) => s.Length <= 64 ? s.ToString() : string.Concat(s[..64], "…");
}
