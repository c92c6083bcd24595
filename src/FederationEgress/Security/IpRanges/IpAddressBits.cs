using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FederationEgress.Security.IpRanges;

/// <summary>Allocation-free conversions between <see cref="IPAddress"/> and integers, and IPv6 embeddings of IPv4.</summary>
internal static class IpAddressBits
{
    /// <summary>IPv4 in the low 32 bits, IPv6 as a big-endian 128-bit integer. Never allocates.</summary>
    public static UInt128 ToUInt128(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            throw new InvalidOperationException("unexpected address length");
        }

        return written == 4
            ? BinaryPrimitives.ReadUInt32BigEndian(bytes)
            : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    /// <summary>Builds an address from its integer form.</summary>
    public static IPAddress ToAddress(AddressFamily family, UInt128 value)
    {
        if (family == AddressFamily.InterNetwork)
        {
            Span<byte> v4 = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)value);
            return new IPAddress(v4);
        }

        Span<byte> v6 = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(v6, value);
        return new IPAddress(v6);
    }

    /// <summary>True for <c>::ffff:a.b.c.d</c>; <paramref name="ipv4"/> is the embedded address.</summary>
    public static bool TryGetMappedIPv4(UInt128 v6, out uint ipv4)
    {
        ipv4 = (uint)v6;
        return (v6 >> 32) == 0xFFFF;
    }
}
