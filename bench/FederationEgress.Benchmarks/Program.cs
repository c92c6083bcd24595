using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;

namespace FederationEgress.Benchmarks;

/// <summary>
/// Micro-benchmarks of the per-request hot path. Usage:
/// <code>
/// dotnet run -c Release --project bench/FederationEgress.Benchmarks -- --filter '*'
/// ... -- --filter '*' --job short     (fewer iterations)
/// ... -- --filter '*' --job dry       (one invocation each: the CI smoke)
/// </code>
/// Benchmarks run in-process: BenchmarkDotNet 0.14 cannot generate projects for net10.0, and
/// in-process keeps the CI smoke fast. MemoryDiagnoser reports allocated bytes per operation.
/// </summary>
public static class BenchmarkProgram
{
    public static int Main(string[] args)
    {
        var config = DefaultConfig.Instance
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile);

        // The command line's --job (dry, short, ...) decides iterations; --inProcess makes every
        // job use the in-process toolchain.
        if (!args.Contains("--inProcess", StringComparer.OrdinalIgnoreCase))
        {
            args = [.. args, "--inProcess"];
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
