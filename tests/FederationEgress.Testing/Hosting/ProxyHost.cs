using System.Net;
using FederationEgress.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Testing.Hosting;

/// <summary>
/// The real FederationEgress app (Program.BuildApp) on ephemeral loopback ports, with a stand-in
/// homeserver client. <see cref="TestProxy"/> and <see cref="RealStackProxy"/> choose what is real.
/// </summary>
public abstract class ProxyHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    protected ProxyHost(WebApplication app, Action<SocketsHttpHandler>? configureClient = null)
    {
        _app = app;
        var listeners = app.Services.GetRequiredService<EgressListeners>();
        ForwardingEndPoint = listeners.ForwardingEndPoint!;
        ManagementEndPoint = listeners.ManagementEndPoint!;
        var handler = HomeserverHandler.Create();
        configureClient?.Invoke(handler);
        Client = new HttpClient(handler)
        {
            BaseAddress = new Uri($"http://{ForwardingEndPoint}"),
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>The bound forwarding listener.</summary>
    public IPEndPoint ForwardingEndPoint { get; }

    /// <summary>The bound management listener.</summary>
    public IPEndPoint ManagementEndPoint { get; }

    /// <summary>A client for the forwarding listener.</summary>
    public HttpClient Client { get; }

    /// <summary>The app's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Sends <c>{method} {target}</c> with the target bytes exactly as given.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string target, HttpContent? content = null, Action<HttpRequestMessage>? configure = null)
    {
        var uri = new Uri($"http://{ForwardingEndPoint}{target}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var request = new HttpRequestMessage(method, uri) { Content = content };
        configure?.Invoke(request);
        return Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>Stops the app (graceful shutdown) without disposing it.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        _stopped = true;
        await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            if (!_stopped)
            {
                await _app.StopAsync(cts.Token);
            }
        }
        finally
        {
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Builds and starts the app with both listeners on ephemeral loopback ports, warnings-only
    /// logging, <paramref name="settings"/> ("Key=Value") and <paramref name="configure"/>'s services.
    /// </summary>
    protected static async Task<WebApplication> StartAppAsync(IEnumerable<string> settings, Action<WebApplicationBuilder> configure)
    {
        var args = new List<string> { "--Listen:Port=0", "--Management:Port=0", "--Listen:Address=127.0.0.1", "--Management:Address=127.0.0.1" };
        args.AddRange(settings.Select(s => "--" + s));
        var app = Program.BuildApp(args.ToArray(), builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            configure(builder);
        });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }
}
