using System.Net;
using FederationEgress.BenchTool.Shared;
using FederationEgress.Discovery;
using FederationEgress.ServerNames;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Tls;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.BenchTool.ColdPath;

/// <summary>
/// Single-flight: R concurrent resolutions of one unseen name (well-known delegation to a host
/// with SRV) must cause exactly one well-known fetch and at most one DNS query per name and type,
/// counted by the ScriptedDnsServer fixture and the well-known site.
/// </summary>
internal static class SingleFlightCheck
{
    private const string Name = "sf.bench.test";
    private const string Delegated = "sf-target.bench.test";

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var requests = args.Int("requests", 1_000);
        var webIp = IPAddress.Parse(args.String("web-ip", "127.0.77.1")!);
        args.EnsureAllRead();

        using var ca = new TestCertificateAuthority("FederationEgress single-flight bench CA");
        var caFile = ca.WritePemFile();
        try
        {
            await using var dns = ScriptedDnsServer.Start();
            dns.AddA(Name, webIp.ToString())
                .AddSrv("_matrix-fed._tcp." + Delegated, "sf-host.bench.test", 8448)
                .AddA("sf-host.bench.test", "127.0.78.1")
                .SetSoa("bench.test", minimum: 300);
            await using var web = await WellKnownSite.StartAsync(ca, webIp, host =>
                host.Equals(Name, StringComparison.OrdinalIgnoreCase) ? $"{{\"m.server\":\"{Delegated}\"}}" : null);
            await using var app = EgressServices.Build(dns.Server, caFile);
            var resolver = app.Services.GetRequiredService<IServerResolver>();

            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var tasks = Enumerable.Range(0, requests).Select(_ => Task.Run(async () =>
            {
                await go.Task;
                if (!ServerNameParser.TryParse(Name, out var name, out var error))
                {
                    throw new InvalidOperationException(error);
                }

                return await resolver.ResolveAsync(name, CancellationToken.None);
            })).ToArray();
            go.SetResult();
            var results = await Task.WhenAll(tasks);

            var fetches = web.Requests.Count(r => r.Host.StartsWith(Name, StringComparison.OrdinalIgnoreCase));
            var perQuestion = dns.Queries.GroupBy(q => (q.Name.ToLowerInvariant(), q.Type)).Select(g => (g.Key, Count: g.Count())).ToList();
            var maxPerQuestion = perQuestion.Count == 0 ? 0 : perQuestion.Max(q => q.Count);
            var steps = results.Select(r => r.Step).Distinct().ToList();

            Console.WriteLine($"single-flight: {requests} concurrent resolutions of {Name}");
            Console.WriteLine($"  well-known fetches {fetches} (want 1); DNS questions {perQuestion.Count}, most queries for one name/type {maxPerQuestion} (want <= 1)");
            foreach (var (key, count) in perQuestion)
            {
                Console.WriteLine($"    {key.Item1} {key.Item2}: {count}");
            }

            Console.WriteLine($"  steps {string.Join(",", steps)} (want {DiscoveryStep.WellKnownSrv}); endpoints {string.Join(",", results[0].Endpoints)}");
            var pass = fetches == 1 && maxPerQuestion <= 1 && steps.SequenceEqual([DiscoveryStep.WellKnownSrv]);
            Console.WriteLine($"RESULT requests={requests} well_known_fetches={fetches} max_queries_per_question={maxPerQuestion} questions={perQuestion.Count} pass={(pass ? "yes" : "no")}");
            return pass ? 0 : 1;
        }
        finally
        {
            File.Delete(caFile);
        }
    }
}
