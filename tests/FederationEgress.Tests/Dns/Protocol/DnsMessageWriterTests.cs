using System.Net;
using FederationEgress.Dns;
using FederationEgress.Dns.Protocol;

namespace FederationEgress.Tests.Dns.Protocol;

public sealed class DnsMessageWriterTests
{
    [Fact]
    public void WriteQuery_WithEdns_MatchesWireFormat()
    {
        var bytes = DnsMessageWriter.WriteQuery(0x1234, "Example.org", DnsRecordType.AAAA, 1232);

        var expected = PacketBuilder.Header(id: 0x1234, flags: 0x0100, qd: 1, ar: 1)
            .Name("Example.org").U16(28).U16(1)
            .U8(0).U16(41).U16(1232).U32(0).U16(0)
            .ToArray();
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void WriteQuery_WithoutEdns_HasNoAdditionalRecord()
    {
        var message = DnsMessageReader.Read(DnsMessageWriter.WriteQuery(7, "example.org", DnsRecordType.A, null));

        Assert.Null(message.UdpPayloadSize);
        Assert.True(message.RecursionDesired);
        Assert.False(message.IsResponse);
    }

    [Fact]
    public void Write_FullResponse_RoundTrips()
    {
        var message = new DnsMessage
        {
            Id = 99,
            IsResponse = true,
            IsAuthoritative = true,
            RecursionDesired = true,
            RecursionAvailable = true,
            ResponseCode = DnsResponseCode.NoError,
            Questions = [new DnsQuestion("_matrix-fed._tcp.example.org", DnsRecordType.SRV)],
            Answers =
            [
                new DnsServiceRecord("_matrix-fed._tcp.example.org", 300, new SrvRecord(10, 60, 8448, "matrix.example.org")),
                new DnsServiceRecord("_matrix-fed._tcp.example.org", 300, new SrvRecord(20, 0, 443, ".")),
                new DnsCnameRecord("alias.example.org", 30, "matrix.example.org"),
            ],
            Authorities = [new DnsSoaRecord("example.org", 3600, "ns1.example.org", "hostmaster.example.org", 1, 2, 3, 4, 5)],
            Additionals =
            [
                new DnsAddressRecord("matrix.example.org", 60, IPAddress.Parse("192.0.2.1")),
                new DnsAddressRecord("matrix.example.org", 60, IPAddress.Parse("2001:db8::1")),
            ],
            UdpPayloadSize = 1232,
        };

        var read = DnsMessageReader.Read(DnsMessageWriter.Write(message));

        Assert.Equal(message.Answers, read.Answers);
        Assert.Equal(message.Authorities, read.Authorities);
        Assert.Equal(message.Additionals, read.Additionals);
        Assert.Equal(message.Questions, read.Questions);
        Assert.Equal((ushort)1232, read.UdpPayloadSize);
        Assert.True(read.IsAuthoritative);
    }

    [Fact]
    public void Write_RepeatedNames_CompressedAndSmaller()
    {
        var message = new DnsMessage
        {
            IsResponse = true,
            Questions = [new DnsQuestion("many.example.org", DnsRecordType.A)],
            Answers = Enumerable.Range(1, 20).Select(i => (DnsRecord)new DnsAddressRecord("many.example.org", 60, IPAddress.Parse($"127.0.1.{i}"))).ToList(),
        };

        var compressed = DnsMessageWriter.Write(message);
        var plain = DnsMessageWriter.Write(message, compressNames: false);

        Assert.Equal(12 + 18 + 4 + (20 * (2 + 10 + 4)), compressed.Length);
        Assert.True(plain.Length > compressed.Length);
        Assert.Equal(DnsMessageReader.Read(plain).Answers, DnsMessageReader.Read(compressed).Answers);
    }

    [Fact]
    public void Write_SameNameDifferentCase_CasePreserved()
    {
        var message = new DnsMessage
        {
            Questions = [new DnsQuestion("WWW.Example.ORG", DnsRecordType.A)],
            Answers = [new DnsAddressRecord("www.example.org", 1, IPAddress.Loopback), new DnsAddressRecord("WWW.Example.ORG", 1, IPAddress.Loopback)],
        };

        var read = DnsMessageReader.Read(DnsMessageWriter.Write(message));

        Assert.Equal("www.example.org", read.Answers[0].Name);
        Assert.Equal("WWW.Example.ORG", read.Answers[1].Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData(".a")]
    [InlineData("ex\u00e4mple.org")]
    [InlineData("bad\\")]
    [InlineData("bad\\25")]
    [InlineData("bad\\256x")]
    public void WriteQuery_InvalidName_Throws(string name)
    {
        Assert.Throws<ArgumentException>(() => DnsMessageWriter.WriteQuery(1, name, DnsRecordType.A, null));
    }

    [Fact]
    public void WriteQuery_LabelOf64Bytes_Throws()
    {
        Assert.Throws<ArgumentException>(() => DnsMessageWriter.WriteQuery(1, new string('a', 64) + ".org", DnsRecordType.A, null));
    }

    [Fact]
    public void WriteQuery_NameOf256WireBytes_Throws()
    {
        var name = string.Join('.', Enumerable.Repeat(new string('a', 63), 3)) + "." + new string('b', 62);

        Assert.Throws<ArgumentException>(() => DnsMessageWriter.WriteQuery(1, name, DnsRecordType.A, null));
        Assert.NotNull(DnsMessageWriter.WriteQuery(1, name[..^1], DnsRecordType.A, null));
    }

    [Fact]
    public void Write_ExtendedResponseCodeWithoutOpt_Throws()
    {
        var message = new DnsMessage { ResponseCode = DnsResponseCode.BadVersion };

        Assert.Throws<ArgumentException>(() => DnsMessageWriter.Write(message));
    }

    [Fact]
    public void Write_ExtendedResponseCodeWithOpt_RoundTrips()
    {
        var message = new DnsMessage { IsResponse = true, ResponseCode = DnsResponseCode.BadVersion, UdpPayloadSize = 512 };

        Assert.Equal(DnsResponseCode.BadVersion, DnsMessageReader.Read(DnsMessageWriter.Write(message)).ResponseCode);
    }

    [Fact]
    public void Write_MessageOver65535Bytes_Throws()
    {
        var message = new DnsMessage
        {
            Answers = Enumerable.Range(0, 5000).Select(_ => (DnsRecord)new DnsAddressRecord("a", 1, IPAddress.IPv6Loopback)).ToList(),
        };

        Assert.Throws<ArgumentException>(() => DnsMessageWriter.Write(message));
    }
}
