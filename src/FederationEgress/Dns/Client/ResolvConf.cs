using System.Globalization;
using System.Net;

namespace FederationEgress.Dns.Client;

/// <summary>
/// The parts of a glibc resolv.conf the stub client uses: <c>nameserver</c> lines (IPv4 or IPv6,
/// optionally with a %zone) and <c>options timeout:N attempts:N</c>. Comments start with '#' or ';'.
/// </summary>
/// <param name="Servers">Name servers in file order, port 53.</param>
/// <param name="TimeoutSeconds">From <c>options timeout:</c>, when present.</param>
/// <param name="Attempts">From <c>options attempts:</c>, when present.</param>
public sealed record ResolvConf(IReadOnlyList<IPEndPoint> Servers, int? TimeoutSeconds, int? Attempts)
{
    // glibc caps these (RES_MAXRETRANS 30, RES_MAXRETRY 5).
    private const int MaxTimeoutSeconds = 30;
    private const int MaxAttempts = 5;

    /// <summary>Parses resolv.conf text; unknown and malformed lines are ignored, as glibc does.</summary>
    public static ResolvConf Parse(string text)
    {
        var servers = new List<IPEndPoint>();
        int? timeout = null;
        int? attempts = null;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine;
            var comment = line.IndexOfAny(['#', ';']);
            if (comment >= 0)
            {
                line = line[..comment];
            }

            var fields = line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
            {
                continue;
            }

            switch (fields[0])
            {
                case "nameserver":
                    if (IPAddress.TryParse(fields[1], out var address))
                    {
                        servers.Add(new IPEndPoint(address, DnsServerEndPoint.DefaultPort));
                    }

                    break;
                case "options":
                    foreach (var option in fields.Skip(1))
                    {
                        if (TryOption(option, "timeout:", out var value))
                        {
                            timeout = Math.Clamp(value, 1, MaxTimeoutSeconds);
                        }
                        else if (TryOption(option, "attempts:", out value))
                        {
                            attempts = Math.Clamp(value, 1, MaxAttempts);
                        }
                    }

                    break;
            }
        }

        return new ResolvConf(servers, timeout, attempts);
    }

    /// <summary>Reads and parses <paramref name="path"/>; a missing or unreadable file is an empty configuration.</summary>
    public static ResolvConf Load(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new ResolvConf([], null, null);
        }
    }

    private static bool TryOption(string option, string prefix, out int value)
    {
        value = 0;
        return option.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(option.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
