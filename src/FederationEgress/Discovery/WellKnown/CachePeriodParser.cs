using System.Globalization;

namespace FederationEgress.Discovery.WellKnown;

/// <summary>
/// Derives a well-known cache period from response headers, as Synapse does
/// (<c>_cache_period_from_headers</c>): <c>no-store</c>/<c>no-cache</c> → 0; a non-empty integer
/// <c>max-age</c> wins; else <c>Expires</c> − now (an unparseable <c>Expires</c>, such as "0", means
/// already expired → 0); else null (use the default period). Directives are comma-separated,
/// names case-insensitive, whitespace around '=' allowed. Pure: clamping happens elsewhere.
/// </summary>
public static class CachePeriodParser
{
    // A max-age this long is "forever" for our purposes; it is clamped to the maximum anyway.
    private static readonly TimeSpan Huge = TimeSpan.FromDays(36_500);

    private static readonly string[] HttpDateFormats =
    [
        "r",                                   // RFC 1123: Sun, 06 Nov 1994 08:49:37 GMT
        "dddd, dd-MMM-yy HH:mm:ss 'GMT'",      // RFC 850
        "ddd MMM d HH:mm:ss yyyy",             // asctime
        "ddd MMM  d HH:mm:ss yyyy",
        "ddd, d MMM yyyy HH:mm:ss 'GMT'",
    ];

    /// <summary>
    /// The cache period the headers ask for (may be zero or negative), or null when they give none.
    /// </summary>
    /// <param name="cacheControl">Every raw Cache-Control header value.</param>
    /// <param name="expires">The last raw Expires header value, or null.</param>
    /// <param name="now">The current time.</param>
    public static TimeSpan? FromHeaders(IEnumerable<string>? cacheControl, string? expires, DateTimeOffset now)
    {
        string? maxAge = null;
        var hasMaxAge = false;
        if (cacheControl is not null)
        {
            foreach (var header in cacheControl)
            {
                foreach (var directive in header.Split(','))
                {
                    var eq = directive.IndexOf('=');
                    var key = (eq < 0 ? directive : directive[..eq]).Trim();
                    if (key.Equals("no-store", StringComparison.OrdinalIgnoreCase) || key.Equals("no-cache", StringComparison.OrdinalIgnoreCase))
                    {
                        return TimeSpan.Zero;
                    }

                    if (key.Equals("max-age", StringComparison.OrdinalIgnoreCase))
                    {
                        // Later directives overwrite earlier ones, as in Synapse's dict.
                        hasMaxAge = true;
                        maxAge = eq < 0 ? null : directive[(eq + 1)..].Trim();
                    }
                }
            }
        }

        if (hasMaxAge && !string.IsNullOrEmpty(maxAge) && TryParseSeconds(maxAge, out var seconds))
        {
            return seconds;
        }

        if (expires is not null)
        {
            return TryParseHttpDate(expires, out var date) ? date - now : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>Parses an HTTP date (RFC 1123, RFC 850 or asctime), always UTC.</summary>
    public static bool TryParseHttpDate(string value, out DateTimeOffset date) =>
        DateTimeOffset.TryParseExact(
            value.Trim(),
            HttpDateFormats,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowInnerWhite,
            out date);

    private static bool TryParseSeconds(string text, out TimeSpan period)
    {
        period = default;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            period = seconds > (long)Huge.TotalSeconds ? Huge : seconds < -(long)Huge.TotalSeconds ? -Huge : TimeSpan.FromSeconds(seconds);
            return true;
        }

        // Digits that overflow a long are still a (very long) integer.
        var digits = text.AsSpan().TrimStart('+');
        if (!digits.IsEmpty && !digits.ContainsAnyExceptInRange('0', '9'))
        {
            period = Huge;
            return true;
        }

        return false;
    }
}
