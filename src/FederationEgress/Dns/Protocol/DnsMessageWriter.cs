using System.Buffers.Binary;
using System.Net.Sockets;

namespace FederationEgress.Dns.Protocol;

/// <summary>
/// Writes DNS messages (RFC 1035 4.1): queries for the stub client, and whole responses for test
/// servers and the fuzz corpus. Names are compressed (RFC 1035 4.1.4) unless asked otherwise;
/// SRV targets never are (RFC 2782).
/// </summary>
public static class DnsMessageWriter
{
    /// <summary>Largest message (the TCP length prefix is 16 bits).</summary>
    public const int MaxMessageSize = ushort.MaxValue;

    /// <summary>Largest offset a compression pointer can hold.</summary>
    private const int MaxPointerOffset = 0x3FFF;

    /// <summary>
    /// A standard query for one question with the RD bit set and, when <paramref name="udpPayloadSize"/>
    /// is given, an EDNS0 OPT record advertising it.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid DNS name.</exception>
    public static byte[] WriteQuery(ushort id, string name, DnsRecordType type, ushort? udpPayloadSize)
    {
        var message = new DnsMessage
        {
            Id = id,
            RecursionDesired = true,
            Questions = [new DnsQuestion(name, type)],
            UdpPayloadSize = udpPayloadSize,
        };
        return Write(message);
    }

    /// <summary>Writes <paramref name="message"/>.</summary>
    /// <exception cref="ArgumentException">A name is invalid, an extended response code has no OPT record, or the message exceeds 65,535 bytes.</exception>
    public static byte[] Write(DnsMessage message, bool compressNames = true)
    {
        ArgumentNullException.ThrowIfNull(message);
        var code = (ushort)message.ResponseCode;
        if (code > 0x0F && message.UdpPayloadSize is null)
        {
            throw new ArgumentException($"response code {code} needs an OPT record (set UdpPayloadSize)", nameof(message));
        }

        if (code > 0xFFF)
        {
            throw new ArgumentException($"response code {code} does not fit in 12 bits", nameof(message));
        }

        var writer = new Writer(compressNames);
        writer.WriteUInt16(message.Id);
        var flags = (message.IsResponse ? 0x8000 : 0)
            | ((message.Opcode & 0x0F) << 11)
            | (message.IsAuthoritative ? 0x0400 : 0)
            | (message.IsTruncated ? 0x0200 : 0)
            | (message.RecursionDesired ? 0x0100 : 0)
            | (message.RecursionAvailable ? 0x0080 : 0)
            | (message.AuthenticData ? 0x0020 : 0)
            | (message.CheckingDisabled ? 0x0010 : 0)
            | (code & 0x0F);
        writer.WriteUInt16((ushort)flags);
        writer.WriteUInt16(Count(message.Questions.Count));
        writer.WriteUInt16(Count(message.Answers.Count));
        writer.WriteUInt16(Count(message.Authorities.Count));
        writer.WriteUInt16(Count(message.Additionals.Count + (message.UdpPayloadSize is null ? 0 : 1)));

        foreach (var question in message.Questions)
        {
            writer.WriteName(question.Name, compress: true);
            writer.WriteUInt16((ushort)question.Type);
            writer.WriteUInt16(question.Class);
        }

        foreach (var record in message.Answers)
        {
            writer.WriteRecord(record);
        }

        foreach (var record in message.Authorities)
        {
            writer.WriteRecord(record);
        }

        foreach (var record in message.Additionals)
        {
            writer.WriteRecord(record);
        }

        if (message.UdpPayloadSize is { } payloadSize)
        {
            writer.WriteByte(0);
            writer.WriteUInt16((ushort)DnsRecordType.OPT);
            writer.WriteUInt16(payloadSize);
            writer.WriteUInt32((uint)(((code >> 4) << 24) | (message.EdnsVersion << 16)));
            writer.WriteUInt16(0);
        }

        return writer.ToArray();
    }

    private static ushort Count(int count) =>
        count <= ushort.MaxValue ? (ushort)count : throw new ArgumentException($"a section holds {count} entries; at most {ushort.MaxValue} fit");

    private sealed class Writer(bool compressNames)
    {
        private readonly Dictionary<string, int> _suffixOffsets = new(StringComparer.Ordinal);
        private byte[] _buffer = new byte[512];
        private int _length;

        public void WriteByte(byte value)
        {
            Ensure(1);
            _buffer[_length++] = value;
        }

        public void WriteUInt16(ushort value)
        {
            Ensure(2);
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_length), value);
            _length += 2;
        }

        public void WriteUInt32(uint value)
        {
            Ensure(4);
            BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(_length), value);
            _length += 4;
        }

        public void WriteBytes(ReadOnlySpan<byte> bytes)
        {
            Ensure(bytes.Length);
            bytes.CopyTo(_buffer.AsSpan(_length));
            _length += bytes.Length;
        }

        public void WriteName(string name, bool compress)
        {
            if (!DnsName.TryParseLabels(name, out var labels, out var error))
            {
                throw new ArgumentException($"cannot write name: {error}", nameof(name));
            }

            for (var i = 0; i < labels.Count; i++)
            {
                var key = SuffixKey(labels, i);
                if (compressNames && compress && _suffixOffsets.TryGetValue(key, out var offset))
                {
                    WriteUInt16((ushort)(0xC000 | offset));
                    return;
                }

                if (_length <= MaxPointerOffset)
                {
                    _suffixOffsets.TryAdd(key, _length);
                }

                WriteByte((byte)labels[i].Length);
                WriteBytes(labels[i]);
            }

            WriteByte(0);
        }

        public void WriteRecord(DnsRecord record)
        {
            WriteName(record.Name, compress: true);
            WriteUInt16((ushort)record.Type);
            WriteUInt16(record is DnsRawRecord raw ? raw.Class : DnsQuestion.ClassInternet);
            WriteUInt32(record.Ttl);
            var lengthOffset = _length;
            WriteUInt16(0);
            var dataStart = _length;
            switch (record)
            {
                case DnsAddressRecord address:
                    var expected = address.Address.AddressFamily == AddressFamily.InterNetworkV6 ? 16 : 4;
                    Span<byte> bytes = stackalloc byte[16];
                    if (!address.Address.TryWriteBytes(bytes, out var written) || written != expected)
                    {
                        throw new ArgumentException($"address {address.Address} cannot be written");
                    }

                    WriteBytes(bytes[..written]);
                    break;
                case DnsCnameRecord cname:
                    WriteName(cname.Target, compress: true);
                    break;
                case DnsServiceRecord srv:
                    WriteUInt16(srv.Srv.Priority);
                    WriteUInt16(srv.Srv.Weight);
                    WriteUInt16(srv.Srv.Port);
                    WriteName(srv.Srv.Target, compress: false);
                    break;
                case DnsSoaRecord soa:
                    WriteName(soa.PrimaryServer, compress: true);
                    WriteName(soa.ResponsibleMailbox, compress: true);
                    WriteUInt32(soa.Serial);
                    WriteUInt32(soa.Refresh);
                    WriteUInt32(soa.Retry);
                    WriteUInt32(soa.Expire);
                    WriteUInt32(soa.Minimum);
                    break;
                case DnsRawRecord rawRecord:
                    WriteBytes(rawRecord.Data.Span);
                    break;
                default:
                    throw new ArgumentException($"cannot write record type {record.GetType().Name}");
            }

            var dataLength = _length - dataStart;
            if (dataLength > ushort.MaxValue)
            {
                throw new ArgumentException($"record data of {dataLength} bytes does not fit");
            }

            BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(lengthOffset), (ushort)dataLength);
        }

        public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

        // Length-prefixed labels, case preserved: unambiguous whatever bytes the labels hold, and a
        // pointer never changes the case a test wrote.
        private static string SuffixKey(List<byte[]> labels, int start)
        {
            var size = 0;
            for (var i = start; i < labels.Count; i++)
            {
                size += labels[i].Length + 1;
            }

            return string.Create(size, (labels, start), static (span, state) =>
            {
                var position = 0;
                for (var i = state.start; i < state.labels.Count; i++)
                {
                    var label = state.labels[i];
                    span[position++] = (char)label.Length;
                    foreach (var b in label)
                    {
                        span[position++] = (char)b;
                    }
                }
            });
        }

        private void Ensure(int count)
        {
            if (_length + count > MaxMessageSize)
            {
                throw new ArgumentException($"the message would exceed {MaxMessageSize} bytes");
            }

            if (_length + count > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Min(MaxMessageSize, Math.Max(_buffer.Length * 2, _length + count)));
            }
        }
    }
}
