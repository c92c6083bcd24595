namespace FederationEgress.Security.Tls;

/// <summary>
/// A domain pattern like Synapse's <c>federation_certificate_verification_whitelist</c>: <c>*</c>
/// matches any run of characters including dots (and none), <c>?</c> exactly one; anchored at both
/// ends; ASCII case-insensitive. Matching is iterative (no regex, no exponential backtracking).
/// </summary>
internal sealed class DomainGlob
{
    private readonly string _pattern;

    private DomainGlob(string pattern) => _pattern = pattern;

    /// <summary>The pattern, lower-cased.</summary>
    public string Pattern => _pattern;

    /// <summary>Parses an entry; U-labels and characters outside <c>[a-z0-9.-_*?]</c> are errors.</summary>
    public static bool TryParse(string text, out DomainGlob glob, out string error)
    {
        glob = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is empty";
            return false;
        }

        if (!System.Text.Ascii.IsValid(text))
        {
            error = "is not ASCII; write internationalised names as A-labels (xn--...)";
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '*' or '?'))
            {
                error = $"contains '{c}', which is not allowed in a domain pattern";
                return false;
            }
        }

        glob = new DomainGlob(text.ToLowerInvariant());
        error = string.Empty;
        return true;
    }

    /// <summary>True when the whole of <paramref name="name"/> matches.</summary>
    public bool IsMatch(ReadOnlySpan<char> name)
    {
        var pattern = _pattern.AsSpan();
        int p = 0, n = 0, starP = -1, starN = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == char.ToLowerInvariant(name[n])))
            {
                p++;
                n++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starN = n;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                n = ++starN;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    public override string ToString() => _pattern;
}
