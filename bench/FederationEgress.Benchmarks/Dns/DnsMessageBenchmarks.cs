using System.Net;
using BenchmarkDotNet.Attributes;
using FederationEgress.Dns;
using FederationEgress.Dns.Protocol;

namespace FederationEgress.Benchmarks.Dns;

/// <summary>DNS wire format: encoding a query and decoding typical answers (runs per cache miss).</summary>
[MemoryDiagnoser]
public class DnsMessageBenchmarks
{
    private byte[] _addressAnswer = [];
    private byte[] _srvAnswer = [];
    private DnsMessage _srvMessage = null!;

    [GlobalSetup]
    public void Setup()
    {
        var aQuestion = new DnsQuestion("matrix.example.org", DnsRecordType.A);
        _addressAnswer = DnsMessageWriter.Write(new DnsMessage
        {
            Id = 4242,
            IsResponse = true,
            RecursionDesired = true,
            RecursionAvailable = true,
            Questions = [aQuestion],
            Answers =
            [
                new DnsCnameRecord("matrix.example.org", 300, "lb.example.org"),
                new DnsAddressRecord("lb.example.org", 300, IPAddress.Parse("192.0.2.10")),
                new DnsAddressRecord("lb.example.org", 300, IPAddress.Parse("192.0.2.11")),
            ],
            UdpPayloadSize = 1232,
        });
        _srvMessage = new DnsMessage
        {
            Id = 4243,
            IsResponse = true,
            RecursionDesired = true,
            RecursionAvailable = true,
            Questions = [new DnsQuestion("_matrix-fed._tcp.example.org", DnsRecordType.SRV)],
            Answers =
            [
                new DnsServiceRecord("_matrix-fed._tcp.example.org", 300, new SrvRecord(10, 60, 8448, "a.example.org")),
                new DnsServiceRecord("_matrix-fed._tcp.example.org", 300, new SrvRecord(10, 40, 8448, "b.example.org")),
                new DnsServiceRecord("_matrix-fed._tcp.example.org", 300, new SrvRecord(20, 0, 443, "backup.example.org")),
            ],
            UdpPayloadSize = 1232,
        };
        _srvAnswer = DnsMessageWriter.Write(_srvMessage);
    }

    [Benchmark]
    public byte[] EncodeQuery() => DnsMessageWriter.WriteQuery(4242, "_matrix-fed._tcp.example.org", DnsRecordType.SRV, 1232);

    [Benchmark]
    public byte[] EncodeSrvAnswer() => DnsMessageWriter.Write(_srvMessage);

    [Benchmark]
    public DnsMessage DecodeAddressAnswer() => DnsMessageReader.Read(_addressAnswer);

    [Benchmark]
    public DnsMessage DecodeSrvAnswer() => DnsMessageReader.Read(_srvAnswer);
}
