using System.Net;
using FederationEgress.Discovery;
using FederationEgress.Hosting;
using FederationEgress.Security;
using FederationEgress.Testing.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Testing.Hosting;

/// <summary>
/// The real FederationEgress app (Program.BuildApp) on ephemeral loopback ports, with the resolver
/// and address policy replaced by test fakes. Configuration keys are passed as command-line
/// arguments (<c>Forwarding:ConnectTimeoutSeconds=2</c>).
/// </summary>
public sealed class TestProxy : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestProxy(WebApplication app, StaticServerResolver resolver)
    {
        _app = app;
        Resolver = resolver;
        var listeners = app.Services.GetRequiredService<EgressListeners>();
        ForwardingEndPoint = listeners.ForwardingEndPoint!;
        ManagementEndPoint = listeners.ManagementEndPoint!;
        Client = new HttpClient(HomeserverHandler.Create())
        {
            BaseAddress = new Uri($"http://{ForwardingEndPoint}"),
        };
    }

    /// <summary>The resolver the proxy uses.</summary>
    public StaticServerResolver Resolver { get; }

    /// <summary>The bound forwarding listener.</summary>
    public IPEndPoint ForwardingEndPoint { get; }

    /// <summary>The bound management listener.</summary>
    public IPEndPoint ManagementEndPoint { get; }

    /// <summary>A client for the forwarding listener.</summary>
    public HttpClient Client { get; }

    /// <summary>The app's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts the proxy. <paramref name="settings"/> are "Key=Value" configuration entries;
    /// <paramref name="policy"/> defaults to permitting loopback only.
    /// </summary>
    public static Task<TestProxy> StartAsync(
        StaticServerResolver? resolver = null,
        IEgressAddressPolicy? policy = null,
        params string[] settings) => StartAsync(resolver, policy, configure: null, settings);

    /// <summary>As above; <paramref name="configure"/> can replace more services (DNS, startup filters).</summary>
    public static async Task<TestProxy> StartAsync(
        StaticServerResolver? resolver,
        IEgressAddressPolicy? policy,
        Action<WebApplicationBuilder>? configure,
        params string[] settings)
    {
        resolver ??= new StaticServerResolver();
        policy ??= RangeAddressPolicy.LoopbackExcept();
        // Tests only talk to loopback: unless a test names its own DNS server, lookups go to a loopback
        // port nothing answers on, never to the machine's resolv.conf servers.
        var args = new List<string> { "--Listen:Port=0", "--Management:Port=0", "--Listen:Address=127.0.0.1", "--Management:Address=127.0.0.1", "--Dns:Servers:0=127.0.0.1:9" };
        args.AddRange(settings.Select(s => "--" + s));
        var app = Program.BuildApp(args.ToArray(), builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddSingleton<IServerResolver>(resolver);
            builder.Services.AddSingleton(policy);
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        return new TestProxy(app, resolver);
    }

    /// <summary>Sends <c>{method} /{serverName}{pathAndQuery}</c> with the path bytes exactly as given.</summary>
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
