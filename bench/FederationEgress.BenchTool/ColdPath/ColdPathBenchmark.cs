using System.Diagnostics;
using System.Globalization;
using System.Net;
using FederationEgress.BenchTool.Shared;
using FederationEgress.Discovery;
using FederationEgress.Errors;
using FederationEgress.ServerNames;
using FederationEgress.Testing.Tls;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.BenchTool.ColdPath;

/// <summary>
/// Cold path: N distinct, never-seen server names (a third each delegated by well-known, by SRV,
/// and falling back to port 8448) resolved through the real resolver with C in flight, against
/// the synthetic DNS zone and a real TLS well-known site. Reports names/s and latency percentiles.
/// </summary>
internal static class ColdPathBenchmark
{
    /// <summary>Names resolved before the measured set (--warm-names).</summary>
    private const int DefaultWarmNames = 300;

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var count = args.Int("names", 10_000);
        var concurrency = args.Int("concurrency", 64);
        var webIp = IPAddress.Parse(args.String("web-ip", "127.0.77.1")!);

        // With --ca-file, an external HTTPS server (bench/nginx/wellknown.conf) already serves the
        // well-known answers on web-ip:443 with a certificate from that CA; otherwise an in-process
        // TlsTestServer does (self-contained, but its handshakes then share this process's CPU).
        var externalCa = args.String("ca-file");
        var warmNames = args.Int("warm-names", DefaultWarmNames);
        args.EnsureAllRead();

        using var ca = new TestCertificateAuthority("FederationEgress cold-path bench CA");
        var caFile = externalCa ?? ca.WritePemFile();
        try
        {
            var zone = new BenchZone(webIp, IPAddress.Parse("127.0.78.1"));
            await using var dns = new SyntheticDnsServer(zone, countPerName: false);
            await using var web = externalCa is null ? await WellKnownSite.StartAsync(ca, webIp, BenchZone.WellKnownFor) : null;
            await using var app = EgressServices.Build(dns.Server, caFile);
            var resolver = app.Services.GetRequiredService<IServerResolver>();

            // Warm-up on names outside the measured set (JIT, pools, first handshakes). Tiered
            // compilation keeps recompiling hot TLS/HTTP/DNS code for the first few thousand names;
            // a long-running proxy is past that, so the measured set starts after it.
            await RunSetAsync(resolver, Names("warm", warmNames), concurrency, new LatencyRecorder(warmNames));
            web?.ClearRequests();
            var queriesBefore = dns.QueryCount;

            var names = Names("", count);
            var latency = new LatencyRecorder(count);
            var started = Stopwatch.GetTimestamp();
            var (failures, wrongStep, firstError) = await RunSetAsync(resolver, names, concurrency, latency);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

            var rate = count / seconds;
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"cold path: {count} new names (1/3 well-known, 1/3 SRV, 1/3 fallback), {concurrency} in flight"));
            Console.WriteLine(string.Create(inv, $"  {seconds:F2} s, {rate:F0} names/s; latency p50 {latency.Percentile(50):F2} ms, p90 {latency.Percentile(90):F2} ms, p99 {latency.Percentile(99):F2} ms, max {latency.Percentile(100):F2} ms"));
            Console.WriteLine(string.Create(inv, $"  failures {failures}, wrong discovery step {wrongStep}; DNS queries {dns.QueryCount - queriesBefore} ({(dns.QueryCount - queriesBefore) / (double)count:F2}/name); well-known fetches {(web is null ? "n/a (external server)" : web.Requests.Count)}"));
            if (firstError is not null)
            {
                Console.WriteLine($"  first failure: {firstError}");
            }

            Console.WriteLine(string.Create(inv, $"RESULT names={count} concurrency={concurrency} seconds={seconds:F3} names_per_s={rate:F1} p50_ms={latency.Percentile(50):F3} p90_ms={latency.Percentile(90):F3} p99_ms={latency.Percentile(99):F3} max_ms={latency.Percentile(100):F3} failures={failures} wrong_step={wrongStep} dns_queries={dns.QueryCount - queriesBefore} well_known_fetches={(web is null ? -1 : web.Requests.Count)} well_known_server={(web is null ? "external" : "in-process")}"));
            return failures == 0 && wrongStep == 0 ? 0 : 1;
        }
        finally
        {
            if (externalCa is null)
            {
                File.Delete(caFile);
            }
        }
    }

    /// <summary>Names with their expected discovery step: i % 3 picks well-known, SRV or fallback.</summary>
    private static (ServerName Name, DiscoveryStep Expected)[] Names(string tag, int count) =>
        Enumerable.Range(0, count).Select(i => (i % 3) switch
        {
            0 => (Parse($"wk-{tag}{i}{BenchZone.Suffix}"), DiscoveryStep.WellKnownExplicitPort),
            1 => (Parse($"srv-{tag}{i}{BenchZone.Suffix}"), DiscoveryStep.Srv),
            _ => (Parse($"fb-{tag}{i}{BenchZone.Suffix}"), DiscoveryStep.DefaultPort),
        }).ToArray();

    private static ServerName Parse(string text) =>
        ServerNameParser.TryParse(text, out var name, out var error) ? name : throw new InvalidOperationException(error);

    private static async Task<(int Failures, int WrongStep, string? FirstError)> RunSetAsync(
        IServerResolver resolver, (ServerName Name, DiscoveryStep Expected)[] names, int concurrency, LatencyRecorder latency)
    {
        var failures = 0;
        var wrongStep = 0;
        string? firstError = null;
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (item, ct) =>
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                var resolution = await resolver.ResolveAsync(item.Name, ct);
                if (resolution.Step != item.Expected)
                {
                    Interlocked.Increment(ref wrongStep);
                    Interlocked.CompareExchange(ref firstError, $"{item.Name.Value}: step {resolution.Step}, expected {item.Expected}", null);
                }
            }
            catch (EgressException ex)
            {
                Interlocked.Increment(ref failures);
                Interlocked.CompareExchange(ref firstError, $"{item.Name.Value}: {ex.Message}", null);
            }

            latency.Record(start);
        });
        return (failures, wrongStep, firstError);
    }
}
