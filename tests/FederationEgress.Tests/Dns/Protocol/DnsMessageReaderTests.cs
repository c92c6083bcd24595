using System.Net;
using FederationEgress.Dns;
using FederationEgress.Dns.Protocol;

namespace FederationEgress.Tests.Dns.Protocol;

public sealed class DnsMessageReaderTests
{
    private const int QuestionOffset = 12;

    [Theory]
    [MemberData(nameof(MalformedNames))]
    public void Read_MalformedPacket_ThrowsDnsFormatException(string name)
    {
        var packet = MalformedPackets.All[name];

        Assert.Throws<DnsFormatException>(() => DnsMessageReader.Read(packet));
    }

    public static TheoryData<string> MalformedNames => MalformedPackets.Names;

    [Fact]
    public void Read_CompressedAnswer_DecodesEveryPointer()
    {
        // A response as BIND writes it: the answer owner points at the question, the CNAME target
        // is "real" + a pointer to the question's "example.org" suffix, the A owner points at the CNAME target.
        var builder = PacketBuilder.Header(id: 0xBEEF, an: 2).Question("www.example.org");
        builder.Pointer(QuestionOffset).RecordFields(5, 7, ttl: 60);
        var targetOffset = builder.Length;
        builder.Label("real").Pointer(QuestionOffset + 4);
        builder.Pointer(targetOffset).RecordFields(1, 4, ttl: 120).U8(127, 0, 0, 9);

        var message = DnsMessageReader.Read(builder.ToArray());

        Assert.Equal(0xBEEF, message.Id);
        Assert.True(message.IsResponse);
        Assert.True(message.RecursionAvailable);
        Assert.Equal("www.example.org", Assert.Single(message.Questions).Name);
        var cname = Assert.IsType<DnsCnameRecord>(message.Answers[0]);
        Assert.Equal(("www.example.org", "real.example.org", 60u), (cname.Name, cname.Target, cname.Ttl));
        var a = Assert.IsType<DnsAddressRecord>(message.Answers[1]);
        Assert.Equal(("real.example.org", IPAddress.Parse("127.0.0.9"), 120u), (a.Name, a.Address, a.Ttl));
    }

    [Fact]
    public void Read_SrvWithCompressedTarget_Accepted()
    {
        // RFC 2782 forbids compressing the target, but servers do it; reading must cope.
        var builder = PacketBuilder.Header(an: 1).Question("_matrix-fed._tcp.example.org", 33);
        builder.Pointer(QuestionOffset).RecordFields(33, 6 + 2).U16(10).U16(5).U16(8448).Pointer(QuestionOffset + 17);

        var srv = Assert.IsType<DnsServiceRecord>(Assert.Single(DnsMessageReader.Read(builder.ToArray()).Answers));

        Assert.Equal(new SrvRecord(10, 5, 8448, "example.org"), srv.Srv);
    }

    [Fact]
    public void Read_SrvRootTarget_IsDot()
    {
        var builder = PacketBuilder.Header(an: 1).Question("_matrix-fed._tcp.example.org", 33);
        builder.Pointer(QuestionOffset).RecordFields(33, 7).U16(0).U16(0).U16(0).U8(0);

        var srv = Assert.IsType<DnsServiceRecord>(Assert.Single(DnsMessageReader.Read(builder.ToArray()).Answers));

        Assert.True(srv.Srv.IsUnavailableMarker);
        Assert.Equal(".", srv.Srv.Target);
    }

    [Fact]
    public void Read_UnknownTypesAndClasses_SkippedButCountsChecked()
    {
        var builder = PacketBuilder.Header(an: 3).Question("example.org");
        builder.Pointer(QuestionOffset).RecordFields(16, 4).U8(3, (byte)'a', (byte)'b', (byte)'c'); // TXT
        builder.Pointer(QuestionOffset).RecordFields(1, 4, @class: 3).U8(10, 0, 0, 1); // A in CHAOS
        builder.Pointer(QuestionOffset).RecordFields(1, 4).U8(127, 0, 0, 2);

        var message = DnsMessageReader.Read(builder.ToArray());

        var only = Assert.IsType<DnsAddressRecord>(Assert.Single(message.Answers));
        Assert.Equal(IPAddress.Parse("127.0.0.2"), only.Address);
    }

    [Fact]
    public void Read_TtlWithTopBitSet_ReadAsZero()
    {
        var builder = PacketBuilder.Header(an: 1).Question("example.org");
        builder.Pointer(QuestionOffset).RecordFields(1, 4, ttl: 0x80000001).U8(127, 0, 0, 1);

        Assert.Equal(0u, DnsMessageReader.Read(builder.ToArray()).Answers[0].Ttl);
    }

    [Fact]
    public void Read_SoaInAuthority_GivesNegativeTtl()
    {
        var builder = PacketBuilder.Header(flags: 0x8183, ns: 1).Question("missing.example.org");
        builder.Pointer(QuestionOffset + 8).RecordFields(6, 3 + 2 + 3 + 2 + 20, ttl: 900)
            .Label("ns").Pointer(QuestionOffset + 8).Label("hm").Pointer(QuestionOffset + 8)
            .U32(2024).U32(3600).U32(600).U32(86400).U32(120);

        var message = DnsMessageReader.Read(builder.ToArray());

        Assert.Equal(DnsResponseCode.NameError, message.ResponseCode);
        var soa = Assert.IsType<DnsSoaRecord>(Assert.Single(message.Authorities));
        Assert.Equal(("example.org", "ns.example.org", "hm.example.org", 120u), (soa.Name, soa.PrimaryServer, soa.ResponsibleMailbox, soa.Minimum));
        Assert.Equal(120u, soa.NegativeTtl);
    }

    [Fact]
    public void Read_OptRecord_GivesPayloadSizeAndExtendedRcode()
    {
        // Header RCODE 0 + extended RCODE 1 (upper 8 bits) = 16 (BADVERS).
        var builder = PacketBuilder.Header(ar: 1).Question("example.org");
        builder.U8(0).RecordFields(41, 0, ttl: 0x01000000, @class: 4096);

        var message = DnsMessageReader.Read(builder.ToArray());

        Assert.Equal((ushort)4096, message.UdpPayloadSize);
        Assert.Equal(DnsResponseCode.BadVersion, message.ResponseCode);
        Assert.Empty(message.Additionals);
    }

    [Fact]
    public void Read_LabelBytesNeedingEscapes_Escaped()
    {
        var packet = PacketBuilder.Header().U8(4, (byte)'a', (byte)'.', (byte)'\\', 0x07).Label("org").U8(0).U16(1).U16(1).ToArray();

        var name = DnsMessageReader.Read(packet).Questions[0].Name;

        Assert.Equal(@"a\.\\\007.org", name);
        Assert.True(DnsName.TryParseLabels(name, out var labels, out _));
        Assert.Equal(new byte[] { (byte)'a', (byte)'.', (byte)'\\', 7 }, labels[0]);
    }

    [Fact]
    public void Read_RootName_IsDot()
    {
        var packet = PacketBuilder.Header().U8(0).U16(2).U16(1).ToArray();

        Assert.Equal(".", DnsMessageReader.Read(packet).Questions[0].Name);
    }

    [Fact]
    public void Read_NameOfExactly255Bytes_Accepted()
    {
        // 3 x 63-byte labels + one 61-byte label = 4*64 - 2 + 1 (root) = 255.
        var builder = PacketBuilder.Header();
        builder.Label(new string('a', 63)).Label(new string('b', 63)).Label(new string('c', 63)).Label(new string('d', 61)).U8(0).U16(1).U16(1);

        var name = DnsMessageReader.Read(builder.ToArray()).Questions[0].Name;

        Assert.Equal(253, name.Length);
    }

    [Fact]
    public void ReadName_AfterPointer_PositionMovesPastPointerOnly()
    {
        var packet = PacketBuilder.Header().Question("example.org").Label("www").Pointer(QuestionOffset).ToArray();
        var position = QuestionOffset + 13 + 4;

        var name = DnsMessageReader.ReadName(packet, ref position);

        Assert.Equal("www.example.org", name);
        Assert.Equal(packet.Length, position);
    }

    [Fact]
    public void TryReadHeader_ShortPacket_False()
    {
        Assert.False(DnsMessageReader.TryReadHeader(new byte[5], out _, out _, out _));
    }
}
