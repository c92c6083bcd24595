namespace FederationEgress.Dns.Protocol;

/// <summary>
/// Domain names in presentation form: labels joined by dots, no trailing dot, "." for the root.
/// Label bytes outside printable ASCII, and "." and "\" inside a label, are escaped as in zone
/// files ("\046", "\.", "\\"), so a label can never masquerade as two labels.
/// </summary>
public static class DnsName
{
    /// <summary>Longest label (RFC 1035 2.3.4).</summary>
    public const int MaxLabelLength = 63;

    /// <summary>Longest name in wire form, including the root label's zero byte (RFC 1035 2.3.4).</summary>
    public const int MaxWireLength = 255;

    /// <summary>The root name.</summary>
    public const string Root = ".";

    /// <summary>ASCII case-insensitive comparison (RFC 4343); a trailing dot is ignored.</summary>
    public static bool Equals(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        return TrimTrailingDot(a).Equals(TrimTrailingDot(b), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Parses a presentation-form name (a trailing dot is allowed) into its wire labels.
    /// Returns false with a reason for empty labels, labels over 63 bytes, names over 255 bytes
    /// or bad escapes.
    /// </summary>
    public static bool TryParseLabels(string name, out List<byte[]> labels, out string? error)
    {
        labels = [];
        error = null;
        if (string.IsNullOrEmpty(name))
        {
            error = "the name is empty";
            return false;
        }

        if (name == Root)
        {
            return true;
        }

        var current = new List<byte>(MaxLabelLength);
        var wireLength = 1;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '.')
            {
                if (current.Count == 0)
                {
                    error = $"'{name}' has an empty label";
                    return false;
                }

                if (!AddLabel(current, labels, ref wireLength, name, out error))
                {
                    return false;
                }

                if (i == name.Length - 1)
                {
                    return true;
                }

                continue;
            }

            byte value;
            if (c == '\\')
            {
                if (i + 1 >= name.Length)
                {
                    error = $"'{name}' ends with a lone backslash";
                    return false;
                }

                if (char.IsAsciiDigit(name[i + 1]))
                {
                    if (i + 3 >= name.Length || !char.IsAsciiDigit(name[i + 2]) || !char.IsAsciiDigit(name[i + 3]))
                    {
                        error = $"'{name}' has a short \\DDD escape";
                        return false;
                    }

                    var number = ((name[i + 1] - '0') * 100) + ((name[i + 2] - '0') * 10) + (name[i + 3] - '0');
                    if (number > 255)
                    {
                        error = $"'{name}' has a \\DDD escape above 255";
                        return false;
                    }

                    value = (byte)number;
                    i += 3;
                }
                else
                {
                    if (name[i + 1] > 0x7F)
                    {
                        error = $"'{name}' is not ASCII";
                        return false;
                    }

                    value = (byte)name[i + 1];
                    i++;
                }
            }
            else if (c > 0x7F)
            {
                // Callers convert international names with IDNA first; raw UTF-16 has no wire form here.
                error = $"'{name}' is not ASCII (convert it with IDNA first)";
                return false;
            }
            else
            {
                value = (byte)c;
            }

            current.Add(value);
            if (current.Count > MaxLabelLength)
            {
                error = $"'{name}' has a label longer than {MaxLabelLength} bytes";
                return false;
            }
        }

        return AddLabel(current, labels, ref wireLength, name, out error);
    }

    /// <summary>True when <paramref name="name"/> can be sent in a query.</summary>
    public static bool IsValid(string name, out string? error) => TryParseLabels(name, out _, out error);

    /// <summary>
    /// The cache form of a name: ASCII lower case, no trailing dot. Allocates only when the name
    /// has upper-case letters or a trailing dot.
    /// </summary>
    public static string Normalize(string name)
    {
        var trimmed = TrimTrailingDot(name);
        foreach (var c in trimmed)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                return trimmed.ToString().ToLowerInvariant();
            }
        }

        return trimmed.Length == name.Length ? name : trimmed.ToString();
    }

    /// <summary>
    /// Writes the cache form of <paramref name="name"/> (see <see cref="Normalize"/>) into
    /// <paramref name="destination"/> without allocating; false when it does not fit.
    /// </summary>
    public static bool TryNormalize(string name, Span<char> destination, out int written)
    {
        var trimmed = TrimTrailingDot(name);
        if (trimmed.Length > destination.Length)
        {
            written = 0;
            return false;
        }

        written = trimmed.ToLowerInvariant(destination);
        return written == trimmed.Length;
    }

    private static ReadOnlySpan<char> TrimTrailingDot(string name)
    {
        if (name.Length < 2 || name[^1] != '.')
        {
            return name;
        }

        // An odd number of backslashes before the final dot escapes it: the dot belongs to the last label.
        var backslashes = 0;
        for (var i = name.Length - 2; i >= 0 && name[i] == '\\'; i--)
        {
            backslashes++;
        }

        return backslashes % 2 == 0 ? name.AsSpan(0, name.Length - 1) : name;
    }

    private static bool AddLabel(List<byte> current, List<byte[]> labels, ref int wireLength, string name, out string? error)
    {
        wireLength += current.Count + 1;
        if (wireLength > MaxWireLength)
        {
            error = $"'{name}' is longer than {MaxWireLength} bytes in wire form";
            return false;
        }

        labels.Add([.. current]);
        current.Clear();
        error = null;
        return true;
    }
}
