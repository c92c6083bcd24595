using BenchmarkDotNet.Attributes;
using FederationEgress.Discovery.Srv;
using FederationEgress.Dns;

namespace FederationEgress.Benchmarks.Discovery;

/// <summary>Endpoint selection: RFC 2782 ordering of a destination's SRV records (runs once per discovery).</summary>
[MemoryDiagnoser]
public class SrvOrderingBenchmarks
{
    private readonly Random _random = new(42);
    private SrvRecord[] _records = [];

    [Params(1, 4, 16)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup() =>
        _records = Enumerable.Range(0, Records)
            .Select(i => new SrvRecord((ushort)(10 * (i % 2)), (ushort)(i % 3 == 0 ? 0 : 10 + i), 8448, $"host{i}.example.org"))
            .ToArray();

    [Benchmark]
    public List<SrvRecord> Order() => SrvOrdering.Order(_records, _random);
}
