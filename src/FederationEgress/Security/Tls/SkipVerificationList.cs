using System.Net;
using FederationEgress.Security.IpRanges;

namespace FederationEgress.Security.Tls;

/// <summary>The parsed <c>Tls:SkipVerification</c> list: domain globs for TLS names, netmasks for remote IPs.</summary>
internal sealed class SkipVerificationList
{
    private readonly DomainGlob[] _globs;
    private readonly IpRangeSet _networks;

    private SkipVerificationList(DomainGlob[] globs, IpRangeSet networks)
    {
        _globs = globs;
        _networks = networks;
    }

    /// <summary>True when the list has no entries.</summary>
    public bool IsEmpty => _globs.Length == 0 && _networks.IsEmpty;

    /// <summary>Parses the entries; throws <see cref="FormatException"/> naming the key on a bad entry.</summary>
    public static SkipVerificationList Parse(IReadOnlyList<string> entries)
    {
        var failures = new List<string>();
        var list = TryParse(entries, failures);
        return failures.Count == 0 ? list : throw new FormatException(string.Join("; ", failures));
    }

    /// <summary>Parses the entries, adding "Tls:SkipVerification[i] ..." failures.</summary>
    public static SkipVerificationList TryParse(IReadOnlyList<string> entries, List<string> failures)
    {
        var globs = new List<DomainGlob>();
        var networks = new List<IpRangeEntry>();
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i]?.Trim() ?? string.Empty;
            var key = $"{TlsOptions.SectionName}:{nameof(TlsOptions.SkipVerification)}:{i} '{entries[i]}'";
            if (LooksLikeNetwork(entry))
            {
                if (IpNetwork.TryParse(entry, out var network, out var error))
                {
                    networks.Add(new IpRangeEntry(network, "skip verification"));
                }
                else
                {
                    failures.Add($"{key} is not a CIDR: {error}");
                }
            }
            else if (DomainGlob.TryParse(entry, out var glob, out var error))
            {
                globs.Add(glob);
            }
            else
            {
                failures.Add($"{key} is not a domain pattern: it {error}");
            }
        }

        return new SkipVerificationList([.. globs], new IpRangeSet(networks));
    }

    /// <summary>
    /// True when verification is skipped for this connection: the TLS name (a DNS name; IP
    /// literals are matched by netmask only) matches a pattern, or the remote IP is in a netmask.
    /// </summary>
    public bool Matches(string? tlsName, IPAddress? remoteAddress, out string entry)
    {
        if (!string.IsNullOrEmpty(tlsName) && !IPAddress.TryParse(tlsName.AsSpan().Trim("[]"), out _))
        {
            foreach (var glob in _globs)
            {
                if (glob.IsMatch(tlsName))
                {
                    entry = glob.Pattern;
                    return true;
                }
            }
        }

        if (remoteAddress is not null)
        {
            var address = Ipv6Embeddings.Normalise(remoteAddress);
            if (_networks.TryMatch(address, out var match))
            {
                entry = match.Network.ToString();
                return true;
            }
        }

        entry = string.Empty;
        return false;
    }

    private static bool LooksLikeNetwork(string entry) =>
        entry.Contains('/') || entry.Contains(':') || IPAddress.TryParse(entry, out _);
}
