using BenchmarkDotNet.Attributes;
using FederationEgress.ServerNames;

namespace FederationEgress.Benchmarks.ServerNames;

/// <summary>Parsing the destination from the first path segment: runs on every forwarded request.</summary>
[MemoryDiagnoser]
public class ServerNameParserBenchmarks
{
    [Params("matrix.org", "matrix.example.org:8448", "192.0.2.10:8448", "[2001:db8::1]:8448", "bücher.example")]
    public string Input { get; set; } = "";

    [Benchmark]
    public ServerName Parse()
    {
        if (!ServerNameParser.TryParse(Input, out var name, out var error))
        {
            throw new InvalidOperationException(error);
        }

        return name;
    }
}
