using System.Diagnostics.Tracing;
using System.Globalization;
using FederationEgress.BenchTool.Shared;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace FederationEgress.BenchTool.Counters;

/// <summary>
/// A small CPU profiler for another .NET process: EventPipe's sample profiler (a stack of every
/// managed thread about every millisecond) plus the method rundown, turned into exclusive ("self")
/// and inclusive sample counts per method. Threads waiting in the runtime are sampled too, so
/// frames such as WaitHandle/epoll waits show up in inclusive counts; "self" of real code is the
/// column that points at CPU work.
/// </summary>
internal static class CpuSampler
{
    public static int Run(BenchArgs args)
    {
        var pid = args.Int("pid", 0);
        var seconds = args.Int("seconds", 10, 1, 600);
        var top = args.Int("top", 30, 1, 1000);
        var filter = args.String("filter");
        args.EnsureAllRead();

        var providers = new[]
        {
            new EventPipeProvider("Microsoft-DotNETCore-SampleProfiler", EventLevel.Informational),
            new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Informational,
                (long)(ClrTraceEventParser.Keywords.Jit | ClrTraceEventParser.Keywords.Loader | ClrTraceEventParser.Keywords.JittedMethodILToNativeMap)),
        };
        var nettrace = Path.Combine(Path.GetTempPath(), $"fe-cpu-{pid}-{Environment.ProcessId}.nettrace");
        try
        {
            var client = new DiagnosticsClient(pid);
            using (var session = client.StartEventPipeSession(providers, requestRundown: true))
            using (var file = File.Create(nettrace))
            {
                var copy = session.EventStream.CopyToAsync(file);
                Thread.Sleep(TimeSpan.FromSeconds(seconds));
                session.Stop();
                copy.GetAwaiter().GetResult();
            }

            var etlx = TraceLog.CreateFromEventPipeDataFile(nettrace);
            using var log = new TraceLog(etlx);
            var self = new Dictionary<string, int>();
            var inclusive = new Dictionary<string, int>();
            var samples = 0;
            foreach (var e in log.Events)
            {
                if (e.ProviderName != "Microsoft-DotNETCore-SampleProfiler")
                {
                    continue;
                }

                var stack = e.CallStack();
                if (stack is null)
                {
                    continue;
                }

                // Skip threads parked in the runtime (their leaf is a wait): they cost no CPU.
                var leaf = Name(stack.CodeAddress);
                if (IsWait(leaf))
                {
                    continue;
                }

                samples++;
                self[leaf] = self.GetValueOrDefault(leaf) + 1;
                var seen = new HashSet<string>();
                for (var frame = stack; frame is not null; frame = frame.Caller)
                {
                    var name = Name(frame.CodeAddress);
                    if (seen.Add(name))
                    {
                        inclusive[name] = inclusive.GetValueOrDefault(name) + 1;
                    }
                }
            }

            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"{samples} busy stack samples over {seconds} s"));
            Print("self", self, samples, top, filter, inv);
            Print("inclusive", inclusive, samples, top, filter, inv);
            return 0;
        }
        finally
        {
            File.Delete(nettrace);
            File.Delete(Path.ChangeExtension(nettrace, ".etlx"));
        }
    }

    private static string Name(TraceCodeAddress address)
    {
        var method = address.FullMethodName;
        return string.IsNullOrEmpty(method) ? $"[{address.ModuleName}]" : method;
    }

    private static bool IsWait(string leaf) =>
        leaf.Contains("WaitHandle", StringComparison.Ordinal) || leaf.Contains("LowLevelLifoSemaphore", StringComparison.Ordinal)
        || leaf.Contains("Monitor.Wait", StringComparison.Ordinal) || leaf.Contains("SocketAsyncEngine.EventLoop", StringComparison.Ordinal)
        || leaf.Contains("Thread.Sleep", StringComparison.Ordinal) || leaf.Contains("WaitForSignal", StringComparison.Ordinal)
        || leaf.Contains("Interop+Sys.WaitForSocketEvents", StringComparison.Ordinal) || leaf.Contains("PortableThreadPool+GateThread", StringComparison.Ordinal)
        || leaf.Contains("LowLevelMonitor", StringComparison.Ordinal) || leaf.Contains("TimerQueue.TimerThread", StringComparison.Ordinal);

    private static void Print(string title, Dictionary<string, int> counts, int samples, int top, string? filter, IFormatProvider inv)
    {
        Console.WriteLine();
        Console.WriteLine($"| {title} | samples | share |");
        Console.WriteLine("|---|---|---|");
        foreach (var (name, count) in counts.Where(kv => filter is null || kv.Key.Contains(filter, StringComparison.OrdinalIgnoreCase))
                     .OrderByDescending(kv => kv.Value).Take(top))
        {
            Console.WriteLine(string.Create(inv, $"| {(name.Length > 150 ? name[..150] : name)} | {count} | {100.0 * count / Math.Max(1, samples):F1} % |"));
        }
    }
}
