using System.Net;
using System.Net.Sockets;

namespace FederationEgress.Security.IpRanges;

/// <summary>
/// The IPv6 spellings of IPv4 addresses an attacker can use to smuggle a denied IPv4 past an
/// IPv6-only check: prefix embeddings (mapped, compatible, 6to4) are expanded into the deny list;
/// NAT64 and Teredo are decoded per address.
/// </summary>
public static class Ipv6Embeddings
{
    /// <summary>NAT64 well-known prefix, RFC 6052: the IPv4 is the last 32 bits.</summary>
    public static readonly IpNetwork Nat64 = IpNetwork.Parse("64:ff9b::/96");

    /// <summary>Teredo, RFC 4380: server IPv4 in bits 32-63, client IPv4 inverted in the last 32 bits.</summary>
    public static readonly IpNetwork Teredo = IpNetwork.Parse("2001::/32");

    /// <summary>
    /// An IPv4 entry plus its IPv4-mapped (<c>::ffff:a.b.c.d/96+n</c>), IPv4-compatible
    /// (<c>::a.b.c.d/96+n</c>) and 6to4 (<c>2002:aabb:ccdd::/16+n</c>) forms, like Synapse's
    /// <c>generate_ip_set</c>. IPv6 entries are returned unchanged.
    /// </summary>
    public static IEnumerable<IpRangeEntry> Expand(IpRangeEntry entry)
    {
        yield return entry;
        var network = entry.Network;
        if (!network.IsIPv4)
        {
            yield break;
        }

        var v4 = network.Start;
        var n = network.PrefixLength;
        yield return new IpRangeEntry(IpNetwork.FromIPv6(((UInt128)0xFFFF << 32) | v4, 96 + n), $"IPv4-mapped form of {entry}");
        yield return new IpRangeEntry(IpNetwork.FromIPv6(v4, 96 + n), $"IPv4-compatible form of {entry}");
        yield return new IpRangeEntry(IpNetwork.FromIPv6(((UInt128)0x2002 << 112) | (v4 << 80), 16 + n), $"6to4 form of {entry}");
    }

    /// <summary>
    /// Writes the IPv4 addresses embedded in an IPv6 address by NAT64 or Teredo (none for other
    /// addresses) and returns how many; <paramref name="destination"/> needs room for 2.
    /// </summary>
    internal static int GetTunnelledIPv4(UInt128 v6, Span<uint> destination, out string mechanism)
    {
        if (Nat64.Contains(v6))
        {
            destination[0] = (uint)v6;
            mechanism = "NAT64 64:ff9b::/96";
            return 1;
        }

        if (Teredo.Contains(v6))
        {
            destination[0] = (uint)(v6 >> 64);
            destination[1] = ~(uint)v6;
            mechanism = "Teredo 2001::/32";
            return 2;
        }

        mechanism = string.Empty;
        return 0;
    }

    /// <summary>Formats an IPv4 integer as dotted quad (for reasons; allocates).</summary>
    internal static string FormatIPv4(uint value) => IpAddressBits.ToAddress(AddressFamily.InterNetwork, value).ToString();

    /// <summary>Normalises an IPv4-mapped IPv6 address to IPv4; other addresses are returned as they are.</summary>
    public static IPAddress Normalise(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
