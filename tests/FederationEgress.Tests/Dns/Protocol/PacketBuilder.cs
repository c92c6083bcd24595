using System.Buffers.Binary;
using System.Text;

namespace FederationEgress.Tests.Dns.Protocol;

/// <summary>Builds DNS packets byte by byte, for cases the writer refuses to produce.</summary>
internal sealed class PacketBuilder
{
    private readonly List<byte> _bytes = [];

    public int Length => _bytes.Count;

    public static PacketBuilder Header(ushort id = 0x1234, ushort flags = 0x8180, ushort qd = 1, ushort an = 0, ushort ns = 0, ushort ar = 0) =>
        new PacketBuilder().U16(id).U16(flags).U16(qd).U16(an).U16(ns).U16(ar);

    public PacketBuilder U8(params byte[] values)
    {
        _bytes.AddRange(values);
        return this;
    }

    public PacketBuilder U16(int value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    public PacketBuilder U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    /// <summary>Uncompressed name from dotted labels, root-terminated.</summary>
    public PacketBuilder Name(string dotted)
    {
        foreach (var label in dotted.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            Label(label);
        }

        return U8(0);
    }

    public PacketBuilder Label(string label)
    {
        var bytes = Encoding.ASCII.GetBytes(label);
        _bytes.Add((byte)bytes.Length);
        _bytes.AddRange(bytes);
        return this;
    }

    public PacketBuilder Pointer(int offset) => U8((byte)(0xC0 | (offset >> 8)), (byte)offset);

    public PacketBuilder Question(string name, ushort type = 1, ushort @class = 1) => Name(name).U16(type).U16(@class);

    /// <summary>Record header (owner name already written by the caller) with type, class, TTL and RDLENGTH.</summary>
    public PacketBuilder RecordFields(ushort type, ushort rdLength, uint ttl = 300, ushort @class = 1) => U16(type).U16(@class).U32(ttl).U16(rdLength);

    public byte[] ToArray() => [.. _bytes];
}
