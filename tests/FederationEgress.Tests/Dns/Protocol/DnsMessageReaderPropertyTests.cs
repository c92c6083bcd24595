using System.Net;
using FederationEgress.Dns;
using FederationEgress.Dns.Protocol;
using FsCheck;
using FsCheck.Fluent;

namespace FederationEgress.Tests.Dns.Protocol;

/// <summary>
/// Property tests: whatever bytes arrive, the reader either returns a message or throws
/// <see cref="DnsFormatException"/>; and valid messages survive a write/read round trip.
/// </summary>
public sealed class DnsMessageReaderPropertyTests
{
    private const int Runs = 3000;

    private static readonly Gen<byte> AnyByte = Gen.Choose(0, 255).Select(i => (byte)i);

    private static readonly Gen<string> Label = Gen.OneOf(
        Gen.Elements("example", "org", "_matrix-fed", "_tcp", "a", "xn--bcher-kva", "WWW", "matrix"),
        from length in Gen.Choose(1, 63)
        from chars in Gen.ArrayOf(Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789-".ToCharArray()), length)
        select new string(chars),
        from length in Gen.Choose(1, 20)
        from bytes in Gen.ArrayOf(AnyByte, length)
        select EscapeLabel(bytes));

    private static readonly Gen<string> Name = Gen.OneOf(
        Gen.Constant("."),
        from count in Gen.Choose(1, 4)
        from labels in Gen.ListOf(Label, count)
        let name = string.Join('.', labels)
        select DnsName.IsValid(name, out _) ? name : "fallback.example");

    private static readonly Gen<IPAddress> Address = Gen.OneOf(
        Gen.ArrayOf(AnyByte, 4).Select(b => new IPAddress(b)),
        Gen.ArrayOf(AnyByte, 16).Select(b => new IPAddress(b)));

    private static readonly Gen<uint> Ttl = Gen.Choose(0, int.MaxValue).Select(i => (uint)i);

    private static readonly Gen<ushort> UShort = Gen.Choose(0, ushort.MaxValue).Select(i => (ushort)i);

    private static readonly Gen<DnsRecord> Record = Gen.OneOf(
        from name in Name
        from ttl in Ttl
        from address in Address
        select (DnsRecord)new DnsAddressRecord(name, ttl, address),
        from name in Name
        from ttl in Ttl
        from target in Name
        select (DnsRecord)new DnsCnameRecord(name, ttl, target),
        from name in Name
        from ttl in Ttl
        from priority in UShort
        from weight in UShort
        from port in UShort
        from target in Name
        select (DnsRecord)new DnsServiceRecord(name, ttl, new SrvRecord(priority, weight, port, target)),
        from name in Name
        from ttl in Ttl
        from primary in Name
        from mailbox in Name
        from minimum in Ttl
        select (DnsRecord)new DnsSoaRecord(name, ttl, primary, mailbox, 1, 2, 3, 4, minimum));

    private static readonly Gen<DnsMessage> Message =
        from id in UShort
        from code in Gen.Elements(DnsResponseCode.NoError, DnsResponseCode.NameError, DnsResponseCode.ServerFailure, DnsResponseCode.Refused)
        from question in Name
        from type in Gen.Elements(DnsRecordType.A, DnsRecordType.AAAA, DnsRecordType.SRV, DnsRecordType.CNAME)
        from answerCount in Gen.Choose(0, 12)
        from answers in Gen.ListOf(Record, answerCount)
        from authorityCount in Gen.Choose(0, 3)
        from authorities in Gen.ListOf(Record, authorityCount)
        from edns in Gen.Elements<ushort?>(null, 512, 1232, 4096)
        from truncated in Gen.Elements(true, false)
        select new DnsMessage
        {
            Id = id,
            IsResponse = true,
            IsTruncated = truncated,
            RecursionDesired = true,
            RecursionAvailable = true,
            ResponseCode = code,
            Questions = [new DnsQuestion(question, type)],
            Answers = answers.ToList(),
            Authorities = authorities.ToList(),
            UdpPayloadSize = edns,
        };

    private static readonly Gen<(byte[] Bytes, string How)> Mutated =
        from message in Message
        from compress in Gen.Elements(true, false)
        let bytes = DnsMessageWriter.Write(message, compress)
        from mutation in Gen.Choose(0, 4)
        from position in Gen.Choose(0, bytes.Length - 1)
        from value in AnyByte
        from count in Gen.Choose(1, 8)
        select Mutate(bytes, mutation, position, value, count);

    [Fact]
    public void Read_RandomBytes_ReturnsOrThrowsDnsFormatExceptionOnly()
    {
        var bytes = Gen.OneOf(
            Gen.ArrayOf(AnyByte),
            Gen.ArrayOf(AnyByte).Select(b => HeaderLike(b)));

        Prop.ForAll(Arb.From(bytes), packet => ReadsOrRejects(packet)).Check(Config.QuickThrowOnFailure.WithMaxTest(Runs));
    }

    [Fact]
    public void Read_MutatedValidMessages_ReturnsOrThrowsDnsFormatExceptionOnly()
    {
        Prop.ForAll(Arb.From(Mutated), mutated => ReadsOrRejects(mutated.Bytes).Label(mutated.How)).Check(Config.QuickThrowOnFailure.WithMaxTest(Runs));
    }

    [Fact]
    public void WriteThenRead_ValidMessage_RoundTrips()
    {
        Prop.ForAll(Arb.From(Message), message =>
        {
            var bytes = DnsMessageWriter.Write(message);
            var read = DnsMessageReader.Read(bytes);
            return read.Id == message.Id
                && read.ResponseCode == message.ResponseCode
                && read.IsTruncated == message.IsTruncated
                && read.UdpPayloadSize == message.UdpPayloadSize
                && read.Questions.SequenceEqual(message.Questions)
                && read.Answers.SequenceEqual(message.Answers)
                && read.Authorities.SequenceEqual(message.Authorities)
                && DnsMessageWriter.Write(read).AsSpan().SequenceEqual(bytes);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1000));
    }

    private static bool ReadsOrRejects(byte[] packet)
    {
        try
        {
            DnsMessageReader.Read(packet);
        }
        catch (DnsFormatException)
        {
        }

        return true;
    }

    // Plausible header (response, 1 question, small counts) followed by random bytes: gets the
    // reader past the header checks more often than pure noise.
    private static byte[] HeaderLike(byte[] tail) =>
        [0x12, 0x34, 0x81, 0x80, 0, 1, 0, (byte)(tail.Length % 4), 0, 0, 0, (byte)(tail.Length % 2), .. tail];

    private static (byte[], string) Mutate(byte[] bytes, int mutation, int position, byte value, int count)
    {
        switch (mutation)
        {
            case 0:
                var flipped = (byte[])bytes.Clone();
                flipped[position] = value;
                return (flipped, $"byte {position} = {value}");
            case 1:
                return (bytes[..position], $"cut at {position}");
            case 2:
                return ([.. bytes[..position], .. Enumerable.Repeat(value, count), .. bytes[position..]], $"insert {count} x {value} at {position}");
            case 3:
                var end = Math.Min(bytes.Length, position + count);
                return ([.. bytes[..position], .. bytes[end..]], $"delete {position}..{end}");
            default:
                var pointer = (byte[])bytes.Clone();
                if (position + 1 < pointer.Length)
                {
                    pointer[position] = (byte)(0xC0 | (value & 0x3F));
                    pointer[position + 1] = (byte)count;
                }

                return (pointer, $"pointer at {position}");
        }
    }

    private static string EscapeLabel(byte[] bytes)
    {
        // Build a one-label message and let the reader produce the escaped presentation form.
        byte[] packet = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte)bytes.Length, .. bytes, 0, 0, 1, 0, 1];
        return DnsMessageReader.Read(packet).Questions[0].Name;
    }
}
