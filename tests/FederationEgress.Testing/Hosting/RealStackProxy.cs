using System.Net;
using FederationEgress.Forwarding.Upstream;
using FederationEgress.Hosting;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Testing.Hosting;

/// <summary>
/// The real FederationEgress app with its real DNS client, discovery, address policy (default deny
/// list) and TLS policy, on ephemeral loopback ports. DNS goes to a <see cref="ScriptedDnsServer"/>
/// only; <c>IpPolicy:AllowRanges</c> is exactly what the test passes; upstream sockets go through a
/// <see cref="RecordingSocketDialer"/> that records every dial and never leaves loopback.
/// </summary>
public sealed class RealStackProxy : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RealStackProxy(WebApplication app, RecordingSocketDialer dialer)
    {
        _app = app;
        Dialer = dialer;
        var listeners = app.Services.GetRequiredService<EgressListeners>();
        ForwardingEndPoint = listeners.ForwardingEndPoint!;
        ManagementEndPoint = listeners.ManagementEndPoint!;
        Client = new HttpClient(HomeserverHandler.Create())
        {
            BaseAddress = new Uri($"http://{ForwardingEndPoint}"),
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>Every upstream dial the proxy attempted.</summary>
    public RecordingSocketDialer Dialer { get; }

    /// <summary>The bound forwarding listener.</summary>
    public IPEndPoint ForwardingEndPoint { get; }

    /// <summary>The bound management listener.</summary>
    public IPEndPoint ManagementEndPoint { get; }

    /// <summary>A client for the forwarding listener.</summary>
    public HttpClient Client { get; }

    /// <summary>The app's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts the proxy. <paramref name="allowRanges"/> become <c>IpPolicy:AllowRanges</c> (none: the
    /// default deny list applies to every loopback address); <paramref name="caPemFile"/> is trusted
    /// via <c>Tls:ExtraCaFiles</c>; <paramref name="settings"/> are extra "Key=Value" entries;
    /// <paramref name="configure"/> may add services (a TimeProvider, a logger provider).
    /// </summary>
    public static async Task<RealStackProxy> StartAsync(
        ScriptedDnsServer dns,
        string? caPemFile,
        IEnumerable<string> allowRanges,
        Action<WebApplicationBuilder>? configure = null,
        params string[] settings)
    {
        var dialer = new RecordingSocketDialer();
        var args = new List<string>
        {
            "--Listen:Port=0", "--Management:Port=0", "--Listen:Address=127.0.0.1", "--Management:Address=127.0.0.1",
            $"--Dns:Servers:0={dns.Server}",
        };
        if (caPemFile is not null)
        {
            args.Add($"--Tls:ExtraCaFiles:0={caPemFile}");
        }

        var i = 0;
        foreach (var range in allowRanges)
        {
            args.Add($"--IpPolicy:AllowRanges:{i++}={range}");
        }

        args.AddRange(settings.Select(s => "--" + s));
        var app = Program.BuildApp(args.ToArray(), builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddSingleton<IUpstreamSocketDialer>(dialer);
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        return new RealStackProxy(app, dialer);
    }

    /// <summary>Sends <c>{method} {target}</c> with the target bytes exactly as given.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string target, HttpContent? content = null, Action<HttpRequestMessage>? configure = null)
    {
        var uri = new Uri($"http://{ForwardingEndPoint}{target}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var request = new HttpRequestMessage(method, uri) { Content = content };
        configure?.Invoke(request);
        return Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
