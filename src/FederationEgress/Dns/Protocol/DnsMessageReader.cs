using System.Buffers.Binary;
using System.Net;

namespace FederationEgress.Dns.Protocol;

/// <summary>
/// Reads DNS messages (RFC 1035 4.1) defensively: every length is checked against the end of the
/// buffer, compression pointers may only point backwards (so they cannot loop), names and labels
/// are length-limited, section counts must match the content exactly, and anything wrong throws
/// <see cref="DnsFormatException"/> and nothing else. Records of types other than A, AAAA, CNAME,
/// SRV and SOA (or of a class other than IN) are skipped.
/// </summary>
public static class DnsMessageReader
{
    /// <summary>Size of the fixed header.</summary>
    public const int HeaderSize = 12;

    private const int FixedRecordFieldsSize = 10;
    private const int MaxPresentationNameLength = DnsName.MaxWireLength * 4;

    /// <summary>Reads a whole message.</summary>
    /// <exception cref="DnsFormatException">The message is malformed.</exception>
    public static DnsMessage Read(ReadOnlySpan<byte> message)
    {
        if (message.Length < HeaderSize)
        {
            throw new DnsFormatException($"message of {message.Length} bytes is shorter than the {HeaderSize}-byte header");
        }

        var id = BinaryPrimitives.ReadUInt16BigEndian(message);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        var questionCount = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var answerCount = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var authorityCount = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        var additionalCount = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);

        var position = HeaderSize;
        var questions = new List<DnsQuestion>(Math.Min((int)questionCount, 4));
        for (var i = 0; i < questionCount; i++)
        {
            var name = ReadName(message, ref position);
            var type = ReadUInt16(message, ref position);
            var @class = ReadUInt16(message, ref position);
            questions.Add(new DnsQuestion(name, (DnsRecordType)type, @class));
        }

        var opt = default(OptData);
        var answers = ReadSection(message, ref position, answerCount, "answer", allowOpt: false, ref opt);
        var authorities = ReadSection(message, ref position, authorityCount, "authority", allowOpt: false, ref opt);
        var additionals = ReadSection(message, ref position, additionalCount, "additional", allowOpt: true, ref opt);

        if (position != message.Length)
        {
            throw new DnsFormatException($"{message.Length - position} bytes follow the last record: the section counts do not match the content", position);
        }

        var responseCode = (ushort)(flags & 0x000F);
        if (opt.Present)
        {
            responseCode |= (ushort)(opt.ExtendedResponseCode << 4);
        }

        return new DnsMessage
        {
            Id = id,
            IsResponse = (flags & 0x8000) != 0,
            Opcode = (byte)((flags >> 11) & 0x0F),
            IsAuthoritative = (flags & 0x0400) != 0,
            IsTruncated = (flags & 0x0200) != 0,
            RecursionDesired = (flags & 0x0100) != 0,
            RecursionAvailable = (flags & 0x0080) != 0,
            AuthenticData = (flags & 0x0020) != 0,
            CheckingDisabled = (flags & 0x0010) != 0,
            ResponseCode = (DnsResponseCode)responseCode,
            Questions = questions,
            Answers = answers,
            Authorities = authorities,
            Additionals = additionals,
            UdpPayloadSize = opt.Present ? opt.UdpPayloadSize : null,
            EdnsVersion = opt.Version,
        };
    }

    /// <summary>
    /// Reads only the id and flags of a message that may be malformed further on (to recognise a
    /// truncated reply whose body could not be read).
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> message, out ushort id, out bool isResponse, out bool isTruncated)
    {
        if (message.Length < HeaderSize)
        {
            id = 0;
            isResponse = isTruncated = false;
            return false;
        }

        id = BinaryPrimitives.ReadUInt16BigEndian(message);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        isResponse = (flags & 0x8000) != 0;
        isTruncated = (flags & 0x0200) != 0;
        return true;
    }

    /// <summary>
    /// Reads a possibly compressed name starting at <paramref name="position"/> and moves
    /// <paramref name="position"/> past it (past the first pointer, when there is one).
    /// </summary>
    /// <exception cref="DnsFormatException">Out of bounds, forward or looping pointer, bad label type, too long.</exception>
    public static string ReadName(ReadOnlySpan<byte> message, ref int position)
    {
        Span<char> buffer = stackalloc char[MaxPresentationNameLength];
        var length = 0;
        var cursor = position;

        // Pointers must point strictly before the start of the run of labels they end. Each jump
        // therefore lands earlier than the last, so a chain of pointers always terminates.
        var segmentStart = position;
        var jumped = false;
        var wireLength = 0;
        while (true)
        {
            if (cursor >= message.Length)
            {
                throw new DnsFormatException("name runs past the end of the message", cursor);
            }

            var labelLength = message[cursor];
            switch (labelLength & 0xC0)
            {
                case 0xC0:
                {
                    if (cursor + 1 >= message.Length)
                    {
                        throw new DnsFormatException("compression pointer runs past the end of the message", cursor);
                    }

                    var target = ((labelLength & 0x3F) << 8) | message[cursor + 1];
                    if (target >= segmentStart)
                    {
                        throw new DnsFormatException($"compression pointer to {target} does not point backwards (loop or forward reference)", cursor);
                    }

                    if (target < HeaderSize)
                    {
                        throw new DnsFormatException($"compression pointer to {target} points into the header", cursor);
                    }

                    if (!jumped)
                    {
                        position = cursor + 2;
                        jumped = true;
                    }

                    cursor = segmentStart = target;
                    continue;
                }

                case 0x00:
                    break;

                default:
                    throw new DnsFormatException($"unsupported label type 0x{labelLength & 0xC0:x2}", cursor);
            }

            if (labelLength == 0)
            {
                if (!jumped)
                {
                    position = cursor + 1;
                }

                return length == 0 ? DnsName.Root : new string(buffer[..(length - 1)]);
            }

            wireLength += labelLength + 1;
            if (wireLength + 1 > DnsName.MaxWireLength)
            {
                throw new DnsFormatException($"name is longer than {DnsName.MaxWireLength} bytes", cursor);
            }

            if (cursor + 1 + labelLength > message.Length)
            {
                throw new DnsFormatException("label runs past the end of the message", cursor);
            }

            length = AppendLabel(buffer, length, message.Slice(cursor + 1, labelLength));
            buffer[length++] = '.';
            cursor += 1 + labelLength;
        }
    }

    private static int AppendLabel(Span<char> buffer, int length, ReadOnlySpan<byte> label)
    {
        foreach (var b in label)
        {
            if (b is (byte)'.' or (byte)'\\')
            {
                buffer[length++] = '\\';
                buffer[length++] = (char)b;
            }
            else if (b is > 0x20 and < 0x7F)
            {
                buffer[length++] = (char)b;
            }
            else
            {
                buffer[length++] = '\\';
                buffer[length++] = (char)('0' + (b / 100));
                buffer[length++] = (char)('0' + (b / 10 % 10));
                buffer[length++] = (char)('0' + (b % 10));
            }
        }

        return length;
    }

    private static List<DnsRecord> ReadSection(ReadOnlySpan<byte> message, ref int position, int count, string section, bool allowOpt, ref OptData opt)
    {
        // Never trust the count for the allocation: each record needs at least 11 bytes.
        var records = new List<DnsRecord>(Math.Min(count, Math.Max(0, (message.Length - position) / (FixedRecordFieldsSize + 1))));
        for (var i = 0; i < count; i++)
        {
            var recordStart = position;
            var name = ReadName(message, ref position);
            var type = (DnsRecordType)ReadUInt16(message, ref position);
            var @class = ReadUInt16(message, ref position);
            var rawTtl = ReadUInt32(message, ref position);
            var dataLength = ReadUInt16(message, ref position);
            var dataStart = position;
            var dataEnd = dataStart + dataLength;
            if (dataEnd > message.Length)
            {
                throw new DnsFormatException($"{section} record {i} data ({dataLength} bytes) runs past the end of the message", recordStart);
            }

            position = dataEnd;
            if (type == DnsRecordType.OPT)
            {
                if (!allowOpt)
                {
                    throw new DnsFormatException($"OPT record in the {section} section", recordStart);
                }

                if (opt.Present)
                {
                    throw new DnsFormatException("more than one OPT record", recordStart);
                }

                if (name != DnsName.Root)
                {
                    throw new DnsFormatException("OPT record owner is not the root", recordStart);
                }

                opt = new OptData(true, @class, (byte)(rawTtl >> 24), (byte)(rawTtl >> 16));
                continue;
            }

            if (@class != DnsQuestion.ClassInternet)
            {
                continue;
            }

            // RFC 2181 8: a TTL with the most significant bit set is treated as zero.
            var ttl = rawTtl > int.MaxValue ? 0u : rawTtl;
            var data = message[..dataEnd];
            var record = ReadData(data, dataStart, name, type, ttl, dataLength, section, i);
            if (record is not null)
            {
                records.Add(record);
            }
        }

        return records;
    }

    private static DnsRecord? ReadData(ReadOnlySpan<byte> upToDataEnd, int dataStart, string name, DnsRecordType type, uint ttl, int dataLength, string section, int index)
    {
        var position = dataStart;
        DnsRecord record;
        switch (type)
        {
            case DnsRecordType.A:
                ExpectLength(dataLength, 4, type, section, index, dataStart);
                return new DnsAddressRecord(name, ttl, new IPAddress(upToDataEnd.Slice(dataStart, 4)));

            case DnsRecordType.AAAA:
                ExpectLength(dataLength, 16, type, section, index, dataStart);
                return new DnsAddressRecord(name, ttl, new IPAddress(upToDataEnd.Slice(dataStart, 16)));

            case DnsRecordType.CNAME:
                record = new DnsCnameRecord(name, ttl, ReadName(upToDataEnd, ref position));
                break;

            case DnsRecordType.SRV:
            {
                var priority = ReadUInt16(upToDataEnd, ref position);
                var weight = ReadUInt16(upToDataEnd, ref position);
                var port = ReadUInt16(upToDataEnd, ref position);
                var target = ReadName(upToDataEnd, ref position);
                record = new DnsServiceRecord(name, ttl, new SrvRecord(priority, weight, port, target));
                break;
            }

            case DnsRecordType.SOA:
            {
                var primary = ReadName(upToDataEnd, ref position);
                var mailbox = ReadName(upToDataEnd, ref position);
                var serial = ReadUInt32(upToDataEnd, ref position);
                var refresh = ReadUInt32(upToDataEnd, ref position);
                var retry = ReadUInt32(upToDataEnd, ref position);
                var expire = ReadUInt32(upToDataEnd, ref position);
                var minimum = ReadUInt32(upToDataEnd, ref position);
                record = new DnsSoaRecord(name, ttl, primary, mailbox, serial, refresh, retry, expire, minimum);
                break;
            }

            default:
                return null;
        }

        // The reads above were bounded by the end of the data, so only "too short" is left to check.
        if (position != upToDataEnd.Length)
        {
            throw new DnsFormatException($"{section} record {index} ({DnsNames.TypeName(type)}) has {upToDataEnd.Length - position} unread data bytes", dataStart);
        }

        return record;
    }

    private static void ExpectLength(int actual, int expected, DnsRecordType type, string section, int index, int offset)
    {
        if (actual != expected)
        {
            throw new DnsFormatException($"{section} record {index} ({DnsNames.TypeName(type)}) has {actual} data bytes, expected {expected}", offset);
        }
    }

    private static ushort ReadUInt16(ReadOnlySpan<byte> message, ref int position)
    {
        if (position + 2 > message.Length)
        {
            throw new DnsFormatException("message ends inside a 16-bit field", position);
        }

        var value = BinaryPrimitives.ReadUInt16BigEndian(message[position..]);
        position += 2;
        return value;
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> message, ref int position)
    {
        if (position + 4 > message.Length)
        {
            throw new DnsFormatException("message ends inside a 32-bit field", position);
        }

        var value = BinaryPrimitives.ReadUInt32BigEndian(message[position..]);
        position += 4;
        return value;
    }

    private readonly record struct OptData(bool Present, ushort UdpPayloadSize, byte ExtendedResponseCode, byte Version);
}
