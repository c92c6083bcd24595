using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FederationEgress.Security.IpRanges;

/// <summary>
/// An IPv4 or IPv6 network in CIDR form (<c>10.0.0.0/8</c>, <c>fe80::/10</c>). A bare address is a
/// single-host network (/32 or /128). Host bits must be zero so a typo such as <c>10.1.2.3/8</c> is
/// reported rather than silently widened. IPv4 and IPv6 never match each other: IPv4-mapped
/// addresses are normalised by the caller (see <see cref="IpAddressBits"/>).
/// </summary>
public readonly struct IpNetwork : IEquatable<IpNetwork>
{
    private IpNetwork(AddressFamily family, UInt128 start, int prefixLength)
    {
        Family = family;
        Start = start;
        PrefixLength = prefixLength;
    }

    /// <summary><see cref="AddressFamily.InterNetwork"/> or <see cref="AddressFamily.InterNetworkV6"/>.</summary>
    public AddressFamily Family { get; }

    /// <summary>Number of leading bits that identify the network.</summary>
    public int PrefixLength { get; }

    /// <summary>First address of the network as an integer (IPv4 in the low 32 bits).</summary>
    internal UInt128 Start { get; }

    /// <summary>Last address of the network as an integer.</summary>
    internal UInt128 End => Start | HostMask(Family, PrefixLength);

    /// <summary>Total bits of the family: 32 or 128.</summary>
    public int AddressBits => Family == AddressFamily.InterNetwork ? 32 : 128;

    /// <summary>True for IPv4 networks.</summary>
    public bool IsIPv4 => Family == AddressFamily.InterNetwork;

    /// <summary>The network address.</summary>
    public IPAddress BaseAddress => IpAddressBits.ToAddress(Family, Start);

    /// <summary>Creates an IPv4 network from its 32-bit start and prefix; host bits must be zero.</summary>
    public static IpNetwork FromIPv4(uint start, int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)prefixLength, 32u, nameof(prefixLength));
        var network = new IpNetwork(AddressFamily.InterNetwork, start, prefixLength);
        if ((network.Start & HostMask(AddressFamily.InterNetwork, prefixLength)) != 0)
        {
            throw new ArgumentException("host bits are set", nameof(start));
        }

        return network;
    }

    /// <summary>Creates an IPv6 network from its 128-bit start and prefix; host bits must be zero.</summary>
    public static IpNetwork FromIPv6(UInt128 start, int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)prefixLength, 128u, nameof(prefixLength));
        if ((start & HostMask(AddressFamily.InterNetworkV6, prefixLength)) != 0)
        {
            throw new ArgumentException("host bits are set", nameof(start));
        }

        return new IpNetwork(AddressFamily.InterNetworkV6, start, prefixLength);
    }

    /// <summary>Parses CIDR notation or a bare address; throws <see cref="FormatException"/> with the reason.</summary>
    public static IpNetwork Parse(string text) =>
        TryParse(text, out var network, out var error) ? network : throw new FormatException($"'{text}' is not a CIDR: {error}");

    /// <summary>Parses CIDR notation or a bare address.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out IpNetwork network) => TryParse(text, out network, out _);

    /// <summary>Parses CIDR notation or a bare address; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out IpNetwork network, out string error)
    {
        network = default;
        text = text.Trim();
        var slash = text.IndexOf('/');
        var addressText = slash >= 0 ? text[..slash] : text;

        // IPAddress.TryParse accepts legacy spellings ("127.1", "0x7f.1", "2130706433"); a deny
        // list written that way is almost certainly a mistake, so insist on canonical forms.
        if (addressText.IsEmpty || addressText.Contains('%') || !IPAddress.TryParse(addressText, out var address) ||
            (address.AddressFamily == AddressFamily.InterNetwork && !IsDottedQuad(addressText)))
        {
            error = "the address part is not a dotted-quad IPv4 or an IPv6 address";
            return false;
        }

        var family = address.AddressFamily;
        var bits = family == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0)
        {
            var prefixText = text[(slash + 1)..];
            if (prefixText.IsEmpty || prefixText.Length > 3 || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits)
            {
                error = $"the prefix length must be a number from 0 to {bits}";
                return false;
            }
        }

        var start = IpAddressBits.ToUInt128(address);
        if ((start & HostMask(family, prefix)) != 0)
        {
            var fixedStart = start & ~HostMask(family, prefix);
            error = $"host bits are set after /{prefix} (did you mean {IpAddressBits.ToAddress(family, fixedStart)}/{prefix}?)";
            return false;
        }

        network = new IpNetwork(family, start, prefix);
        error = string.Empty;
        return true;
    }

    /// <summary>True when <paramref name="address"/> is in this network (same family only).</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily == Family && Contains(IpAddressBits.ToUInt128(address));
    }

    /// <summary>True when the integer form of an address of this network's family is in the network.</summary>
    internal bool Contains(UInt128 value) => (value & ~HostMask(Family, PrefixLength)) == Start;

    /// <summary>True when every address of <paramref name="other"/> is in this network.</summary>
    public bool Contains(IpNetwork other) =>
        other.Family == Family && other.PrefixLength >= PrefixLength && Contains(other.Start);

    /// <summary>Formats as <c>address/prefix</c> with the canonical address text.</summary>
    public override string ToString() => $"{BaseAddress}/{PrefixLength}";

    public bool Equals(IpNetwork other) => Family == other.Family && Start == other.Start && PrefixLength == other.PrefixLength;

    public override bool Equals([NotNullWhen(true)] object? obj) => obj is IpNetwork other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Family, Start, PrefixLength);

    public static bool operator ==(IpNetwork left, IpNetwork right) => left.Equals(right);

    public static bool operator !=(IpNetwork left, IpNetwork right) => !left.Equals(right);

    internal static UInt128 HostMask(AddressFamily family, int prefixLength)
    {
        var bits = family == AddressFamily.InterNetwork ? 32 : 128;
        var hostBits = bits - prefixLength;
        return hostBits == 0 ? UInt128.Zero : hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
    }

    private static bool IsDottedQuad(ReadOnlySpan<char> text)
    {
        var dots = 0;
        var digits = 0;
        foreach (var c in text)
        {
            if (c == '.')
            {
                if (digits == 0)
                {
                    return false;
                }

                dots++;
                digits = 0;
            }
            else if (char.IsAsciiDigit(c) && ++digits <= 3)
            {
                continue;
            }
            else
            {
                return false;
            }
        }

        return dots == 3 && digits > 0;
    }
}
