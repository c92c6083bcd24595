using System.Diagnostics.Tracing;
using System.Globalization;
using FederationEgress.BenchTool.Shared;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace FederationEgress.BenchTool.Counters;

/// <summary>
/// Which types another .NET process allocates: the runtime's GC AllocationTick events (one per
/// ~100 KB allocated, naming the type that crossed the threshold) collected over EventPipe for a
/// while, aggregated by type. A statistical profile: types with many ticks allocate the most bytes.
/// </summary>
internal static class AllocationSampler
{
    public static int Run(BenchArgs args)
    {
        var pid = args.Int("pid", 0);
        var seconds = args.Int("seconds", 10, 1, 3600);
        var top = args.Int("top", 25, 1, 1000);
        args.EnsureAllRead();

        var client = new DiagnosticsClient(pid);
        var providers = new[]
        {
            new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Verbose, (long)ClrTraceEventParser.Keywords.GC),
        };
        using var session = client.StartEventPipeSession(providers, requestRundown: false);
        var byType = new Dictionary<string, (long Ticks, long Bytes)>();
        long total = 0;
        using var source = new EventPipeEventSource(session.EventStream);
        source.Clr.GCAllocationTick += e =>
        {
            var name = string.IsNullOrEmpty(e.TypeName) ? "(unknown)" : e.TypeName;
            var (ticks, bytes) = byType.GetValueOrDefault(name);
            byType[name] = (ticks + 1, bytes + e.AllocationAmount64);
            total += e.AllocationAmount64;
        };
        var stopper = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            session.Stop();
        });
        source.Process();
        stopper.GetAwaiter().GetResult();

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"allocation ticks over {seconds} s: {total / 1048576.0:F1} MiB sampled"));
        Console.WriteLine("| type | ticks | share |");
        Console.WriteLine("|---|---|---|");
        foreach (var (name, (ticks, bytes)) in byType.OrderByDescending(kv => kv.Value.Bytes).Take(top))
        {
            Console.WriteLine(string.Create(inv, $"| {name} | {ticks} | {100.0 * bytes / Math.Max(1, total):F1} % |"));
        }

        return 0;
    }
}
