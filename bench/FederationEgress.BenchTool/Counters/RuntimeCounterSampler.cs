using System.Diagnostics.Tracing;
using System.Globalization;
using FederationEgress.BenchTool.Shared;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace FederationEgress.BenchTool.Counters;

/// <summary>
/// A minimal dotnet-counters: subscribes to another .NET process's <c>System.Runtime</c> event
/// counters over EventPipe (the diagnostics IPC socket) and appends one CSV row per interval with
/// the GC heap, working set, GC counts, time in GC, allocation rate and thread-pool figures.
/// Runs until the target exits or this process is stopped.
/// </summary>
internal static class RuntimeCounterSampler
{
    private static readonly string[] Columns =
    [
        "gc-heap-size", "working-set", "gen-0-gc-count", "gen-1-gc-count", "gen-2-gc-count", "time-in-gc",
        "alloc-rate", "threadpool-thread-count", "threadpool-queue-length", "monitor-lock-contention-count", "gc-fragmentation",
    ];

    public static int Run(BenchArgs args)
    {
        var pid = args.Int("pid", 0);
        var interval = args.Int("interval", 10, 1, 3600);
        var outPath = args.String("out") ?? throw new ArgumentException("--out <file.csv> is required");
        args.EnsureAllRead();

        var client = new DiagnosticsClient(pid);
        var providers = new[]
        {
            new EventPipeProvider("System.Runtime", EventLevel.Informational, 0, new Dictionary<string, string>
            {
                ["EventCounterIntervalSec"] = interval.ToString(CultureInfo.InvariantCulture),
            }),
        };
        using var session = client.StartEventPipeSession(providers, requestRundown: false);
        using var writer = new StreamWriter(outPath) { AutoFlush = true };
        writer.WriteLine("elapsed_s,gc_heap_mib,working_set_mib,gen0,gen1,gen2,time_in_gc_pct,alloc_mib_per_interval,threadpool_threads,threadpool_queue,lock_contention,gc_fragmentation_pct");
        var latest = new Dictionary<string, double>();
        var started = DateTime.UtcNow;
        using var source = new EventPipeEventSource(session.EventStream);
        source.Dynamic.All += e =>
        {
            if (e.EventName != "EventCounters" || e.PayloadValue(0) is not IDictionary<string, object> outer
                || outer["Payload"] is not IDictionary<string, object> payload)
            {
                return;
            }

            var name = (string)payload["Name"];
            var value = payload.TryGetValue("Mean", out var mean) && (string)payload["CounterType"] == "Mean"
                ? Convert.ToDouble(mean, CultureInfo.InvariantCulture)
                : Convert.ToDouble(payload["Increment"], CultureInfo.InvariantCulture);
            latest[name] = value;

            // gc-heap-size comes first in each batch; write the previous batch when a new one starts.
            if (name == "gc-fragmentation" || (name == Columns[^1]))
            {
                var inv = CultureInfo.InvariantCulture;
                double Get(string key) => latest.GetValueOrDefault(key, double.NaN);
                writer.WriteLine(string.Join(',',
                    ((DateTime.UtcNow - started).TotalSeconds).ToString("F0", inv),
                    (Get("gc-heap-size") * 1e6 / 1048576).ToString("F1", inv),
                    (Get("working-set") * 1e6 / 1048576).ToString("F1", inv),
                    Get("gen-0-gc-count").ToString("F0", inv),
                    Get("gen-1-gc-count").ToString("F0", inv),
                    Get("gen-2-gc-count").ToString("F0", inv),
                    Get("time-in-gc").ToString("F1", inv),
                    (Get("alloc-rate") / 1048576).ToString("F1", inv),
                    Get("threadpool-thread-count").ToString("F0", inv),
                    Get("threadpool-queue-length").ToString("F0", inv),
                    Get("monitor-lock-contention-count").ToString("F0", inv),
                    Get("gc-fragmentation").ToString("F1", inv)));
            }
        };
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            session.Stop();
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => session.Stop();
        source.Process();
        return 0;
    }
}
