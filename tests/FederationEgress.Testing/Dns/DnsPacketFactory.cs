using System.Buffers.Binary;
using FederationEgress.Dns.Protocol;

namespace FederationEgress.Testing.Dns;

/// <summary>Hand-built broken DNS packets for tests.</summary>
public static class DnsPacketFactory
{
    /// <summary>
    /// A reply with the id, flags and question of <paramref name="validReply"/> and one answer whose
    /// owner name is a compression pointer to itself.
    /// </summary>
    public static byte[] CompressionLoopReply(byte[] validReply)
    {
        var position = DnsMessageReader.HeaderSize;
        DnsMessageReader.ReadName(validReply, ref position);
        var questionEnd = position + 4;
        var packet = new List<byte>(validReply[..questionEnd]);
        packet[4] = 0;
        packet[5] = 1;
        packet[6] = 0;
        packet[7] = 1;
        packet[8] = packet[9] = packet[10] = packet[11] = 0;
        var self = packet.Count;
        packet.Add((byte)(0xC0 | (self >> 8)));
        packet.Add((byte)self);
        packet.AddRange([0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]);
        return [.. packet];
    }

    /// <summary>Sets ANCOUNT of a copy of <paramref name="message"/>.</summary>
    public static byte[] WithAnswerCount(byte[] message, ushort count)
    {
        var copy = (byte[])message.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(6), count);
        return copy;
    }
}
