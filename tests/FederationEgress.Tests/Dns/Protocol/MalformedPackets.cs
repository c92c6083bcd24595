namespace FederationEgress.Tests.Dns.Protocol;

/// <summary>Named malformed packets, each breaking exactly one rule of the reader.</summary>
internal static class MalformedPackets
{
    private const int QuestionOffset = 12;

    public static readonly IReadOnlyDictionary<string, byte[]> All = new Dictionary<string, byte[]>
    {
        ["empty"] = [],
        ["header-only-11-bytes"] = new byte[11],
        ["question-count-without-question"] = PacketBuilder.Header(qd: 1).ToArray(),
        ["question-name-runs-past-end"] = PacketBuilder.Header().U8(7).U8((byte)'e', (byte)'x').ToArray(),
        ["question-missing-type-and-class"] = PacketBuilder.Header().Name("example.org").ToArray(),
        ["question-missing-class"] = PacketBuilder.Header().Name("example.org").U16(1).ToArray(),
        ["label-without-terminator"] = PacketBuilder.Header().Label("example").ToArray(),
        ["pointer-cut-in-half"] = PacketBuilder.Header().U8(0xC0).ToArray(),
        ["pointer-to-itself"] = PacketBuilder.Header().Pointer(QuestionOffset).U16(1).U16(1).ToArray(),
        ["pointer-forward"] = PacketBuilder.Header().Pointer(QuestionOffset + 6).U16(1).U16(1).Name("a").ToArray(),
        ["pointer-into-header"] = PacketBuilder.Header().Pointer(2).U16(1).U16(1).ToArray(),
        ["pointer-past-end"] = PacketBuilder.Header().Pointer(0x3FFF).U16(1).U16(1).ToArray(),
        ["pointer-to-start-of-own-name"] = PacketBuilder.Header().Label("a").Pointer(QuestionOffset).U16(1).U16(1).ToArray(),
        ["two-pointers-looping"] = TwoPointerLoop(),
        ["label-type-0x40"] = PacketBuilder.Header().U8(0x41, (byte)'a', 0).U16(1).U16(1).ToArray(),
        ["label-type-0x80"] = PacketBuilder.Header().U8(0x81, (byte)'a', 0).U16(1).U16(1).ToArray(),
        ["name-longer-than-255"] = LongName(),
        ["name-longer-than-255-via-pointers"] = LongNameViaPointers(),
        ["answer-count-larger-than-content"] = PacketBuilder.Header(an: 2).Question("example.org").Pointer(QuestionOffset).RecordFields(1, 4).U8(127, 0, 0, 1).ToArray(),
        ["answer-count-smaller-than-content"] = PacketBuilder.Header(an: 0).Question("example.org").Pointer(QuestionOffset).RecordFields(1, 4).U8(127, 0, 0, 1).ToArray(),
        ["trailing-garbage"] = PacketBuilder.Header().Question("example.org").U8(0xFF).ToArray(),
        ["giant-counts"] = PacketBuilder.Header(qd: 0xFFFF, an: 0xFFFF, ns: 0xFFFF, ar: 0xFFFF).Question("example.org").ToArray(),
        ["rdlength-past-end"] = PacketBuilder.Header(an: 1).Question("example.org").Pointer(QuestionOffset).RecordFields(1, 40).U8(127, 0, 0, 1).ToArray(),
        ["record-cut-inside-fixed-fields"] = PacketBuilder.Header(an: 1).Question("example.org").Pointer(QuestionOffset).U16(1).U16(1).ToArray(),
        ["a-with-5-bytes"] = PacketBuilder.Header(an: 1).Question("example.org").Pointer(QuestionOffset).RecordFields(1, 5).U8(127, 0, 0, 1, 9).ToArray(),
        ["a-with-3-bytes"] = PacketBuilder.Header(an: 1).Question("example.org").Pointer(QuestionOffset).RecordFields(1, 3).U8(127, 0, 0).ToArray(),
        ["aaaa-with-4-bytes"] = PacketBuilder.Header(an: 1).Question("example.org", 28).Pointer(QuestionOffset).RecordFields(28, 4).U8(127, 0, 0, 1).ToArray(),
        ["cname-target-beyond-rdlength"] = PacketBuilder.Header(an: 1).Question("example.org", 5).Pointer(QuestionOffset).RecordFields(5, 3).Name("abc.de").ToArray(),
        ["cname-rdata-longer-than-name"] = PacketBuilder.Header(an: 1).Question("example.org", 5).Pointer(QuestionOffset).RecordFields(5, 5).Pointer(QuestionOffset).U8(0, 0, 0).ToArray(),
        ["srv-rdata-too-short"] = PacketBuilder.Header(an: 1).Question("_s._tcp.example.org", 33).Pointer(QuestionOffset).RecordFields(33, 4).U16(10).U16(0).ToArray(),
        ["srv-rdata-extra-bytes"] = PacketBuilder.Header(an: 1).Question("_s._tcp.example.org", 33).Pointer(QuestionOffset).RecordFields(33, 10).U16(10).U16(0).U16(8448).U8(0, 0xAA, 0xBB, 0xCC).ToArray(),
        ["soa-cut-short"] = PacketBuilder.Header(ns: 1).Question("example.org").Pointer(QuestionOffset + 8).RecordFields(6, 10).U8(0, 0).U32(1).U32(2).ToArray(),
        ["opt-in-answer-section"] = PacketBuilder.Header(an: 1).Question("example.org").U8(0).RecordFields(41, 0, 0, 1232).ToArray(),
        ["two-opt-records"] = PacketBuilder.Header(ar: 2).Question("example.org").U8(0).RecordFields(41, 0, 0, 1232).U8(0).RecordFields(41, 0, 0, 1232).ToArray(),
        ["opt-with-non-root-owner"] = PacketBuilder.Header(ar: 1).Question("example.org").Pointer(QuestionOffset).RecordFields(41, 0, 0, 1232).ToArray(),
    };

    public static TheoryData<string> Names => new(All.Keys);

    // Question name at 12 is "a" + pointer to 18; the name at 18 is "b" + pointer back to 12.
    private static byte[] TwoPointerLoop() =>
        PacketBuilder.Header(an: 0).Label("a").Pointer(QuestionOffset + 6).U16(1).U16(1).ToArray()
            .Concat(new PacketBuilder().Label("b").Pointer(QuestionOffset).ToArray()).ToArray();

    private static byte[] LongName()
    {
        var builder = PacketBuilder.Header();
        for (var i = 0; i < 5; i++)
        {
            builder.Label(new string('a', 63));
        }

        return builder.U8(0).U16(1).U16(1).ToArray();
    }

    // Each answer's owner adds a 63-byte label in front of the previous owner: the fifth exceeds 255.
    private static byte[] LongNameViaPointers()
    {
        var builder = PacketBuilder.Header(an: 4).Question("x");
        var previous = QuestionOffset;
        for (var i = 0; i < 4; i++)
        {
            var start = builder.Length;
            builder.Label(new string((char)('a' + i), 63)).Pointer(previous).RecordFields(1, 4).U8(127, 0, 0, 1);
            previous = start;
        }

        return builder.ToArray();
    }
}
