namespace FederationEgress.FrontEnds;

/// <summary>RFC 9110/9112 character classes shared by the front ends' hand-written HTTP/1.x parsers.</summary>
internal static class HttpSyntax
{
    /// <summary>True for tchar: the characters allowed in methods and header names.</summary>
    public static bool IsTokenChar(byte b) => b switch
    {
        >= (byte)'a' and <= (byte)'z' => true,
        >= (byte)'A' and <= (byte)'Z' => true,
        >= (byte)'0' and <= (byte)'9' => true,
        (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*'
            or (byte)'+' or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~' => true,
        _ => false,
    };

    /// <summary>True when <paramref name="span"/> is a non-empty token.</summary>
    public static bool IsToken(ReadOnlySpan<byte> span)
    {
        if (span.IsEmpty)
        {
            return false;
        }

        foreach (var b in span)
        {
            if (!IsTokenChar(b))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when a field value (or chunk extension) holds no control character other than HTAB.</summary>
    public static bool IsValidFieldValue(ReadOnlySpan<byte> span)
    {
        foreach (var b in span)
        {
            if ((b < 0x20 && b != (byte)'\t') || b == 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Trims optional whitespace (SP / HTAB) from both ends.</summary>
    public static ReadOnlySpan<byte> TrimOws(ReadOnlySpan<byte> span)
    {
        var start = 0;
        while (start < span.Length && (span[start] == (byte)' ' || span[start] == (byte)'\t'))
        {
            start++;
        }

        var end = span.Length;
        while (end > start && (span[end - 1] == (byte)' ' || span[end - 1] == (byte)'\t'))
        {
            end--;
        }

        return span[start..end];
    }

    /// <summary>ASCII case-insensitive equality against a lower-case literal.</summary>
    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> span, ReadOnlySpan<byte> lowerLiteral)
    {
        if (span.Length != lowerLiteral.Length)
        {
            return false;
        }

        for (var i = 0; i < span.Length; i++)
        {
            var b = span[i];
            if (b is >= (byte)'A' and <= (byte)'Z')
            {
                b = (byte)(b | 0x20);
            }

            if (b != lowerLiteral[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses 1*DIGIT into a non-negative long; false on anything else or overflow.</summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> span, out long value)
    {
        value = 0;
        if (span.IsEmpty || span.Length > 18)
        {
            return false;
        }

        foreach (var b in span)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }
}
