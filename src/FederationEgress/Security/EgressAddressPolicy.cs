using System.Net;
using System.Net.Sockets;
using FederationEgress.Security.IpRanges;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FederationEgress.Security;

/// <summary>
/// The egress IP policy: explicit allow ranges beat the deny list (defaults plus operator ranges);
/// unspecified addresses are always denied; IPv4-mapped addresses are judged as IPv4; NAT64 and
/// Teredo addresses are denied when the IPv4 they embed is. The allowed path never allocates.
/// </summary>
internal sealed partial class EgressAddressPolicy : IEgressAddressPolicy
{
    private readonly IpRangeSet _deny;
    private readonly IpRangeSet _allow;
    private readonly ILogger<EgressAddressPolicy> _logger;

    public EgressAddressPolicy(IOptions<IpPolicyOptions> options, ILogger<EgressAddressPolicy> logger)
    {
        var value = options.Value;
        _logger = logger;
        _deny = BuildDenySet(value);
        _allow = new IpRangeSet(value.AllowRanges.Select(r => new IpRangeEntry(IpNetwork.Parse(r), "allowed by IpPolicy:AllowRanges")));
    }

    /// <summary>The effective deny set (for diagnostics).</summary>
    public IpRangeSet DenySet => _deny;

    /// <summary>The effective allow set (for diagnostics).</summary>
    public IpRangeSet AllowSet => _allow;

    public bool IsAllowed(IPAddress address, out string reason)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (Decide(address, out reason))
        {
            return true;
        }

        SecurityMetrics.RecordDenial(SecurityMetrics.Address);
        Log.AddressDenied(_logger, address, reason);
        return false;
    }

    private bool Decide(IPAddress address, out string reason)
    {
        var value = IpAddressBits.ToUInt128(address);
        var isV4 = address.AddressFamily == AddressFamily.InterNetwork;
        if (!isV4 && address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            reason = $"address family {address.AddressFamily} is not IP";
            return false;
        }

        // ::ffff:a.b.c.d reaches a.b.c.d: judge it as the IPv4 it is, for allow and deny alike.
        if (!isV4 && IpAddressBits.TryGetMappedIPv4(value, out var mapped))
        {
            isV4 = true;
            value = mapped;
        }

        if (value == 0)
        {
            reason = $"{address} is the unspecified address and is always denied";
            return false;
        }

        if (isV4 ? _allow.TryMatchIPv4((uint)value, out _) : _allow.TryMatchIPv6(value, out _))
        {
            reason = string.Empty;
            return true;
        }

        if (isV4 ? _deny.TryMatchIPv4((uint)value, out var denied) : _deny.TryMatchIPv6(value, out denied))
        {
            reason = $"{denied} is in the deny list";
            return false;
        }

        if (!isV4)
        {
            Span<uint> embedded = stackalloc uint[2];
            var count = Ipv6Embeddings.GetTunnelledIPv4(value, embedded, out var mechanism);
            for (var i = 0; i < count; i++)
            {
                if (!_allow.TryMatchIPv4(embedded[i], out _) && _deny.TryMatchIPv4(embedded[i], out var inner))
                {
                    reason = $"{address} embeds {Ipv6Embeddings.FormatIPv4(embedded[i])} ({mechanism}), and {inner} is in the deny list";
                    return false;
                }
            }
        }

        reason = string.Empty;
        return true;
    }

    private static IpRangeSet BuildDenySet(IpPolicyOptions options)
    {
        var entries = new List<IpRangeEntry>();
        if (options.UseDefaultDenyList)
        {
            entries.AddRange(DefaultDenyList.Entries);
        }

        foreach (var cidr in options.DenyRanges)
        {
            entries.AddRange(Ipv6Embeddings.Expand(new IpRangeEntry(IpNetwork.Parse(cidr), "IpPolicy:DenyRanges")));
        }

        return new IpRangeSet(entries);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3000, EventName = "EgressAddressDenied", Level = LogLevel.Information,
            Message = "Egress to {Address} denied: {Reason}")]
        public static partial void AddressDenied(ILogger logger, IPAddress address, string reason);
    }
}
