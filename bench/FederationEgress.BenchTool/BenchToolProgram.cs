using FederationEgress.BenchTool.ColdPath;
using FederationEgress.BenchTool.Counters;
using FederationEgress.BenchTool.Memory;
using FederationEgress.BenchTool.Shared;

namespace FederationEgress.BenchTool;

/// <summary>
/// Load tools for the benchmarks that need product internals or a far end that checks bytes.
/// <code>
/// cold-path     [--names 10000] [--concurrency 64] [--web-ip 127.0.77.1]
/// single-flight [--requests 1000] [--web-ip 127.0.77.1]
/// cache-memory  [--destinations 100000] [--concurrency 64]
/// stream        --proxy http://127.0.0.1:18009 --pid PID --cert origin.pem --key origin.key [--size-mib 1024]
/// counters      --pid PID --out counters.csv [--interval 10]   (runtime counters of another .NET process)
/// alloc-types   --pid PID [--seconds 10] [--top 25]            (sampled allocations by type, another process)
/// cpu-profile   --pid PID [--seconds 10] [--top 30] [--filter text] (sampled CPU by method, another process)
/// </code>
/// Each prints a human summary and one "RESULT key=value ..." line; exit code 1 when a check fails.
/// </summary>
public static class BenchToolProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: FederationEgress.BenchTool cold-path|single-flight|cache-memory|stream|counters|alloc-types|cpu-profile [--option value ...]");
            return 2;
        }

        try
        {
            var options = new BenchArgs(args.Skip(1));
            return args[0] switch
            {
                "cold-path" => await ColdPathBenchmark.RunAsync(options),
                "single-flight" => await SingleFlightCheck.RunAsync(options),
                "cache-memory" => await CacheMemoryBenchmark.RunAsync(options),
                "stream" => await StreamingBenchmark.RunAsync(options),
                "counters" => RuntimeCounterSampler.Run(options),
                "alloc-types" => AllocationSampler.Run(options),
                "cpu-profile" => CpuSampler.Run(options),
                _ => throw new ArgumentException($"unknown command '{args[0]}'"),
            };
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }
    }
}
