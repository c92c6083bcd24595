using System.Diagnostics;
using System.Globalization;
using System.Net;
using FederationEgress.BenchTool.ColdPath;
using FederationEgress.BenchTool.Shared;
using FederationEgress.Discovery;
using FederationEgress.ServerNames;
using FederationEgress.Testing.Tls;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.BenchTool.Memory;

/// <summary>
/// Memory at scale: managed heap and RSS of the process after caching N destinations
/// (<c>h-i.bench.test:8448</c>, explicit port: AAAA/A only) relative to the warmed-up idle state,
/// then a pass of cache hits over all of them (each must complete synchronously).
/// </summary>
internal static class CacheMemoryBenchmark
{
    private const int WarmNames = 500;

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var count = args.Int("destinations", 100_000);
        var concurrency = args.Int("concurrency", 64);
        args.EnsureAllRead();

        using var ca = new TestCertificateAuthority("FederationEgress memory bench CA");
        var caFile = ca.WritePemFile();
        try
        {
            await using var dns = new SyntheticDnsServer(new BenchZone(IPAddress.Parse("127.0.77.1"), IPAddress.Parse("127.0.78.1")), countPerName: false);
            await using var app = EgressServices.Build(dns.Server, caFile, new Dictionary<string, string>
            {
                // Room for the whole set plus the warm-up names: over the bound the cache trims.
                ["Discovery:MaxCachedServers"] = Math.Max(count + WarmNames + 1_000, 100_000).ToString(CultureInfo.InvariantCulture),
            });
            var resolver = app.Services.GetRequiredService<IServerResolver>();

            await ResolveAllAsync(resolver, Names("warm", WarmNames), concurrency);
            var (idleHeap, idleRss, _) = Measure();

            var names = Names("", count);
            var started = Stopwatch.GetTimestamp();
            await ResolveAllAsync(resolver, names, concurrency);
            var fillSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var (heap, rss, rssBeforeTrim) = Measure();

            // Every destination must now be a synchronous cache hit; then time a pass of hits.
            var hits = 0;
            foreach (var name in names)
            {
                var pending = resolver.ResolveAsync(name, CancellationToken.None);
                if (pending.IsCompletedSuccessfully)
                {
                    hits++;
                }
                else
                {
                    await pending;
                }
            }

            var hitStart = Stopwatch.GetTimestamp();
            foreach (var name in names)
            {
                _ = resolver.ResolveAsync(name, CancellationToken.None);
            }

            var hitNs = Stopwatch.GetElapsedTime(hitStart).TotalNanoseconds / count;
            var inv = CultureInfo.InvariantCulture;
            var heapDelta = heap - idleHeap;
            var rssDelta = rss - idleRss;
            Console.WriteLine(string.Create(inv, $"cache memory: {count} destinations cached in {fillSeconds:F1} s ({count / fillSeconds:F0}/s)"));
            Console.WriteLine(string.Create(inv, $"  managed heap {ProcessStats.MiB(idleHeap)} -> {ProcessStats.MiB(heap)} MiB (+{ProcessStats.MiB(heapDelta)} MiB, {heapDelta / (double)count:F0} B/destination)"));
            Console.WriteLine(string.Create(inv, $"  RSS          {ProcessStats.MiB(idleRss)} -> {ProcessStats.MiB(rss)} MiB (+{ProcessStats.MiB(rssDelta)} MiB); target <= 64 MiB above idle"));
            Console.WriteLine(string.Create(inv, $"               ({ProcessStats.MiB(rssBeforeTrim)} MiB after a full blocking GC, before the aggressive GC that returns free GC regions to the OS)"));
            Console.WriteLine(string.Create(inv, $"  synchronous cache hits {hits}/{count}; a sequential pass over all of them: {hitNs:F0} ns per hit (cache misses of the CPU included: 100,000 entries do not fit in cache)"));
            Console.WriteLine(string.Create(inv, $"RESULT destinations={count} idle_heap_mib={ProcessStats.MiB(idleHeap)} heap_mib={ProcessStats.MiB(heap)} heap_delta_mib={ProcessStats.MiB(heapDelta)} idle_rss_mib={ProcessStats.MiB(idleRss)} rss_mib={ProcessStats.MiB(rss)} rss_delta_mib={ProcessStats.MiB(rssDelta)} rss_before_trim_mib={ProcessStats.MiB(rssBeforeTrim)} bytes_per_destination={heapDelta / (double)count:F0} sync_hits={hits} hit_ns={hitNs:F0}"));
            GC.KeepAlive(names);
            return hits == count ? 0 : 1;
        }
        finally
        {
            File.Delete(caFile);
        }
    }

    /// <summary>
    /// Live managed heap and RSS. A full GC alone leaves freed regions committed (RSS then depends on
    /// how much garbage the run made, not on what is cached); the aggressive GC decommits them, as
    /// the GC eventually does on its own in an idle process.
    /// </summary>
    private static (long Heap, long Rss, long RssBeforeTrim) Measure()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        var beforeTrim = ProcessStats.RssBytes();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return (GC.GetTotalMemory(forceFullCollection: false), ProcessStats.RssBytes(), beforeTrim);
    }

    private static ServerName[] Names(string tag, int count) =>
        Enumerable.Range(0, count)
            .Select(i => ServerNameParser.TryParse($"h-{tag}{i}{BenchZone.Suffix}:8448", out var name, out var error) ? name : throw new InvalidOperationException(error))
            .ToArray();

    private static Task ResolveAllAsync(IServerResolver resolver, ServerName[] names, int concurrency) =>
        Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (name, ct) =>
        {
            var resolution = await resolver.ResolveAsync(name, ct);
            if (resolution.Step != DiscoveryStep.ExplicitPort)
            {
                throw new InvalidOperationException($"{name.Value}: step {resolution.Step}");
            }
        });
}
