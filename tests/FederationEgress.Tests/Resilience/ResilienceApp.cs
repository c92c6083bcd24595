using System.Net;
using System.Text.Json;
using FederationEgress.Hosting;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Tests.Resilience;

/// <summary>
/// The REAL app (Program.BuildApp: real DNS stub client, discovery, address policy, TLS policy)
/// on ephemeral loopback ports, with DNS pointed at a <see cref="ScriptedDnsServer"/>, the address
/// policy allowing only this area's loopback block (127.86.0.0/16) and the test CA trusted.
/// Optionally on a manual clock (<paramref name="time"/>) for every timeout the app owns.
/// </summary>
internal sealed class ResilienceApp : IAsyncDisposable
{
    /// <summary>Every address the resilience tests dial lives here; no other test uses this block.</summary>
    public const string AllowedRange = "127.86.0.0/16";

    private readonly WebApplication _app;
    private bool _stopped;

    private ResilienceApp(WebApplication app)
    {
        _app = app;
        var listeners = app.Services.GetRequiredService<EgressListeners>();
        ForwardingEndPoint = listeners.ForwardingEndPoint!;
        ManagementEndPoint = listeners.ManagementEndPoint!;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = new Uri($"http://{ForwardingEndPoint}"),
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public IPEndPoint ForwardingEndPoint { get; }

    public IPEndPoint ManagementEndPoint { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<ResilienceApp> StartAsync(ScriptedDnsServer dns, string caPemFile, TimeProvider? time = null, params string[] settings)
    {
        var args = new List<string>
        {
            "--Listen:Address=127.0.0.1", "--Listen:Port=0", "--Management:Address=127.0.0.1", "--Management:Port=0",
            $"--Dns:Servers:0={dns.Server}", $"--IpPolicy:AllowRanges:0={AllowedRange}", $"--Tls:ExtraCaFiles:0={caPemFile}",
        };
        args.AddRange(settings.Select(s => "--" + s));
        var app = Program.BuildApp(args.ToArray(), builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }
        });
        await app.StartAsync();
        return new ResilienceApp(app);
    }

    /// <summary>GET /{destination}{path} through the proxy, returning once response headers arrived.</summary>
    public Task<HttpResponseMessage> GetAsync(string destination, string path = "/_matrix/federation/v1/version", CancellationToken cancellationToken = default) =>
        Client.GetAsync($"/{destination}{path}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    /// <summary>Stops the host (graceful shutdown) without disposing it.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        _stopped = true;
        await _app.StopAsync(cancellationToken);
    }

    /// <summary>Reads the proxy's JSON error: (errcode, error, reason).</summary>
    public static async Task<(string ErrCode, string Error, string Reason)> ReadErrorAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        return (root.GetProperty("errcode").GetString()!, root.GetProperty("error").GetString()!, root.GetProperty("reason").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_stopped)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(cts.Token);
        }

        await _app.DisposeAsync();
    }
}
