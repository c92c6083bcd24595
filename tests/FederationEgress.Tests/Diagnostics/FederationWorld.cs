using System.Net;
using System.Text.Json;
using FederationEgress.Hosting;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Tests.Diagnostics;

/// <summary>
/// A small loopback federation for end-to-end diagnostics tests: a scripted DNS server, a test CA,
/// TLS servers on this world's own /24 inside 127.91.0.0/16 (ports 443 and 8448 work: tests run as
/// root), and the REAL app (Program.BuildApp) configured to use only them (Dns:Servers, IpPolicy
/// allowing just this /24, the test CA as extra CA).
/// </summary>
internal sealed class FederationWorld : IAsyncDisposable
{
    private static int _nextNet;

    private readonly List<TlsTestServer> _servers = [];
    private readonly List<string> _files = [];
    private readonly string _caFile;
    private WebApplication? _app;

    private FederationWorld()
    {
        // One /24 per world: parallel tests never share an address.
        var net = Interlocked.Increment(ref _nextNet) % 250 + 1;
        Prefix = $"127.91.{net}.";
        Ca = new TestCertificateAuthority("FederationEgress Diagnostics Test CA");
        _caFile = Ca.WritePemFile();
        Dns = ScriptedDnsServer.Start();
    }

    /// <summary>"127.91.N." — append the host byte.</summary>
    public string Prefix { get; }

    public TestCertificateAuthority Ca { get; }

    public ScriptedDnsServer Dns { get; }

    public IServiceProvider Services => _app!.Services;

    public IPEndPoint ManagementEndPoint { get; private set; } = null!;

    public IPEndPoint ForwardingEndPoint { get; private set; } = null!;

    public static FederationWorld Create() => new();

    /// <summary>The address with host byte <paramref name="host"/>.</summary>
    public string Ip(int host) => Prefix + host.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The configuration every app in this world needs ("Key=Value").</summary>
    public IReadOnlyList<string> Settings() =>
    [
        $"Dns:Servers:0={Dns.Server}",
        $"IpPolicy:AllowRanges:0={Prefix}0/24",
        $"Tls:ExtraCaFiles:0={_caFile}",
        "Forwarding:ConnectTimeoutSeconds=5",
        "Discovery:WellKnownTimeoutSeconds=5",
    ];

    /// <summary>The same settings as a proxy.json-style file, for the CLI's --config.</summary>
    public string WriteConfigFile(IDictionary<string, object>? extra = null)
    {
        var root = new Dictionary<string, object>
        {
            ["Dns"] = new Dictionary<string, object> { ["Servers"] = new[] { Dns.Server } },
            ["IpPolicy"] = new Dictionary<string, object> { ["AllowRanges"] = new[] { Prefix + "0/24" } },
            ["Tls"] = new Dictionary<string, object> { ["ExtraCaFiles"] = new[] { _caFile } },
            ["Forwarding"] = new Dictionary<string, object> { ["ConnectTimeoutSeconds"] = 5 },
            ["Discovery"] = new Dictionary<string, object> { ["WellKnownTimeoutSeconds"] = 5 },
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, object>())
        {
            root[key] = value;
        }

        var path = Path.Combine(Path.GetTempPath(), $"fe-diag-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(root));
        _files.Add(path);
        return path;
    }

    /// <summary>Starts a TLS server at <see cref="Ip"/>(<paramref name="host"/>):<paramref name="port"/> with a certificate for <paramref name="names"/>.</summary>
    public async Task<TlsTestServer> ServerAsync(int host, int port, params string[] names)
    {
        var server = await TlsTestServer.StartAsync(Ca.IssueServerCertificate(names), IPAddress.Parse(Ip(host)), port);
        _servers.Add(server);
        return server;
    }

    /// <summary>A well-known server for <paramref name="serverName"/> at host byte <paramref name="host"/>:443 answering <paramref name="mServer"/> (or 404 when null).</summary>
    public async Task<TlsTestServer> WellKnownAsync(string serverName, int host, string? mServer, string? cacheControl = "max-age=3600")
    {
        Dns.AddA(serverName, Ip(host));
        var server = await ServerAsync(host, 443, serverName);
        server.Handler = context =>
        {
            if (mServer is null)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            if (cacheControl is not null)
            {
                context.Response.Headers.CacheControl = cacheControl;
            }

            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync($"{{\"m.server\":\"{mServer}\"}}");
        };
        return server;
    }

    /// <summary>Starts the real app; <paramref name="extraSettings"/> add or override keys.</summary>
    public async Task StartAppAsync(params string[] extraSettings)
    {
        var args = new List<string> { "--Listen:Port=0", "--Management:Port=0", "--Listen:Address=127.0.0.1", "--Management:Address=127.0.0.1" };
        args.AddRange(Settings().Concat(extraSettings).Select(s => "--" + s));
        _app = Program.BuildApp(args.ToArray(), builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        await _app.StartAsync(TestContext.Current.CancellationToken);
        var listeners = _app.Services.GetRequiredService<EgressListeners>();
        ManagementEndPoint = listeners.ManagementEndPoint!;
        ForwardingEndPoint = listeners.ForwardingEndPoint!;
    }

    /// <summary>A client that never proxies and sends no tracing headers of its own.</summary>
    public static HttpClient CreateClient() =>
        new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, ActivityHeadersPropagator = null });

    /// <summary>GET the resolve report of <paramref name="encodedName"/> from the management listener.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> ReportAsync(string encodedName, string query = "")
    {
        using var client = CreateClient();
        using var response = await client.GetAsync($"http://{ManagementEndPoint}/_egress/v1/resolve/{encodedName}{query}", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(cts.Token);
            await _app.DisposeAsync();
        }

        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        await Dns.DisposeAsync();
        Ca.Dispose();
        File.Delete(_caFile);
        _files.ForEach(File.Delete);
    }
}
