using BenchmarkDotNet.Attributes;
using FederationEgress.Discovery;
using FederationEgress.ServerNames;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Benchmarks.Discovery;

/// <summary>
/// The warm path's discovery cost: the real <see cref="IServerResolver"/> from the product's
/// composition, answering from its cache (target: under 100 ns and 0 bytes per call).
/// </summary>
[MemoryDiagnoser]
public class ResolverCacheHitBenchmarks
{
    private ScriptedDnsServer _dns = null!;
    private TestCertificateAuthority _ca = null!;
    private string _caFile = null!;
    private WebApplication _app = null!;
    private IServerResolver _resolver = null!;
    private ServerName _explicitPort = null!;
    private ServerName _ipLiteral = null!;

    [GlobalSetup]
    public void Setup()
    {
        _dns = ScriptedDnsServer.Start();
        _dns.AddA("matrix.bench.test", "127.0.78.1", ttl: 86_400).SetSoa("bench.test", minimum: 3600, ttl: 86_400);
        _ca = new TestCertificateAuthority("FederationEgress micro-benchmark CA");
        _caFile = _ca.WritePemFile();
        _app = global::Program.BuildApp(
            [$"--Dns:Servers:0={_dns.Server}", "--IpPolicy:AllowRanges:0=127.0.0.0/8", $"--Tls:ExtraCaFiles:0={_caFile}"],
            builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        _resolver = _app.Services.GetRequiredService<IServerResolver>();
        _explicitPort = Parse("matrix.bench.test:8448");
        _ipLiteral = Parse("127.0.78.2:8448");

        // Fill the cache; the benchmarks below only ever hit it.
        _resolver.ResolveAsync(_explicitPort, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _resolver.ResolveAsync(_ipLiteral, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _dns.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _ca.Dispose();
        File.Delete(_caFile);
    }

    [Benchmark]
    public Resolution CacheHitHostname() => Hit(_explicitPort);

    [Benchmark]
    public Resolution CacheHitIpLiteral() => Hit(_ipLiteral);

    /// <summary>What a forwarded request pays before dialling: parse the first path segment, then hit the cache.</summary>
    [Benchmark]
    public Resolution ParseAndHit()
    {
        ServerNameParser.TryParse("matrix.bench.test:8448", out var name, out _);
        return Hit(name);
    }

    private Resolution Hit(ServerName name)
    {
        var pending = _resolver.ResolveAsync(name, CancellationToken.None);
        if (!pending.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException($"{name.Value} was not a synchronous cache hit");
        }

        return pending.Result;
    }

    private static ServerName Parse(string text) =>
        ServerNameParser.TryParse(text, out var name, out var error) ? name : throw new InvalidOperationException(error);
}
