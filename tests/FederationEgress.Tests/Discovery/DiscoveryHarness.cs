using System.Net;
using System.Security.Cryptography.X509Certificates;
using FederationEgress.Discovery;
using FederationEgress.Discovery.WellKnown;
using FederationEgress.Dns;
using FederationEgress.ServerNames;
using FederationEgress.Testing.Fakes;
using FederationEgress.Testing.Time;
using FederationEgress.Testing.Tls;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FederationEgress.Tests.Discovery;

/// <summary>
/// A resolver wired to a scripted DNS, real TLS well-known servers on loopback (test CA) and a
/// manual clock. Defaults follow the Synapse agent fixture: <c>testserv</c> A 1.2.3.4,
/// <c>target-server</c> AAAA 1::f, <c>srvtarget</c> A 5.6.7.8, <c>target.com</c> A 1.2.3.4,
/// <c>xn--bcher-kva.com</c> A 1.2.3.4 (data only: tests never dial these addresses).
/// Jitter is 0 and retries do not sleep unless a test configures otherwise.
/// </summary>
internal sealed class DiscoveryHarness : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _servers = [];
    private readonly Lock _buildLock = new();
    private readonly List<IDisposable> _disposables = [];
    private ServerResolver? _resolver;
    private WellKnownResolver? _wellKnown;

    public DiscoveryHarness(Action<DiscoveryOptions>? configure = null, Random? random = null)
    {
        Options = new DiscoveryOptions { CacheJitterFraction = 0, WellKnownRetryDelayMilliseconds = 0 };
        configure?.Invoke(Options);
        Random = random ?? new Random(1234);
        Dns = new ScriptedDnsResolver(Time);
        Dns.AddAddresses("testserv", "1.2.3.4")
            .AddAddresses("target-server", "1::f")
            .AddAddresses("srvtarget", "5.6.7.8")
            .AddAddresses("target.com", "1.2.3.4")
            .AddAddresses("xn--bcher-kva.com", "1.2.3.4");
        Upstream = new LoopbackUpstreamHandlerFactory(Ca);
    }

    public TestCertificateAuthority Ca { get; } = new();

    public ManualTimeProvider Time { get; } = new();

    public ScriptedDnsResolver Dns { get; }

    public LoopbackUpstreamHandlerFactory Upstream { get; }

    public DiscoveryOptions Options { get; }

    public Random Random { get; }

    public WellKnownFetcher Fetcher => new(Upstream, Microsoft.Extensions.Options.Options.Create(Options), Time, NullLogger<WellKnownFetcher>.Instance);

    /// <summary>The resolver (built on first use, after the options are final; concurrent first uses share one).</summary>
    public ServerResolver Resolver
    {
        get
        {
            lock (_buildLock)
            {
                return _resolver ??= Build();
            }
        }
    }

    /// <summary>The well-known cache behind <see cref="Resolver"/>.</summary>
    public WellKnownResolver WellKnown
    {
        get
        {
            _ = Resolver;
            return _wellKnown!;
        }
    }

    /// <summary>Waits (real time, bounded) until <paramref name="condition"/> holds; for background work.</summary>
    public static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    /// <summary>Waits (real time, bounded) until <paramref name="condition"/> holds; for background work.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            try
            {
                await Task.Delay(10, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("gave up waiting for " + what);
            }
        }
    }

    public ValueTask<Resolution> ResolveAsync(string serverName) =>
        Resolver.ResolveAsync(ServerName.Parse(serverName), TestContext.Current.CancellationToken);

    /// <summary>Starts a TLS server for <paramref name="host"/> on a fresh loopback IP and maps the host to it.</summary>
    public async Task<TlsTestServer> ServeAsync(string host, Func<HttpContext, Task> handler, X509Certificate2? certificate = null)
    {
        var server = await TlsTestServer.StartAsync(certificate ?? Ca.IssueServerCertificate([host]), LoopbackEndpoints.NextAddress());
        server.Handler = handler;
        _servers.Add(server);
        Upstream.Map(host, server.EndPoint);
        return server;
    }

    /// <summary>Serves <c>{"m.server": delegation}</c> for <paramref name="host"/>.</summary>
    public Task<TlsTestServer> ServeDelegationAsync(string host, string delegation, string? cacheControl = null) =>
        ServeAsync(host, Reply(200, $"{{\"m.server\":\"{delegation}\"}}", cacheControl));

    /// <summary>Stops <paramref name="server"/> (its pooled connections die) and refuses new connections to <paramref name="host"/>.</summary>
    public async Task StopAndRefuseAsync(TlsTestServer server, string host)
    {
        _servers.Remove(server);
        await server.DisposeAsync();
        Refuse(host);
    }

    /// <summary>Connections to <paramref name="host"/> are refused (WK✗).</summary>
    public void Refuse(string host) => Upstream.Map(host, LoopbackEndpoints.Closed());

    /// <summary>Connections to <paramref name="host"/> are accepted and never answered.</summary>
    public SilentTcpServer Silence(string host)
    {
        var server = new SilentTcpServer(LoopbackEndpoints.NextAddress());
        _disposables.Add(server);
        Upstream.Map(host, server.EndPoint);
        return server;
    }

    public static Func<HttpContext, Task> Reply(int status, string body, string? cacheControl = null, string? contentType = "application/json", string? expires = null) =>
        async context =>
        {
            context.Response.StatusCode = status;
            if (contentType is not null)
            {
                context.Response.ContentType = contentType;
            }

            if (cacheControl is not null)
            {
                context.Response.Headers.CacheControl = cacheControl;
            }

            if (expires is not null)
            {
                context.Response.Headers.Expires = expires;
            }

            await context.Response.WriteAsync(body);
        };

    public static Func<HttpContext, Task> Redirect(int status, string? location) =>
        context =>
        {
            context.Response.StatusCode = status;
            if (location is not null)
            {
                context.Response.Headers.Location = location;
            }

            return Task.CompletedTask;
        };

    public static SrvRecord Srv(string target, ushort port, ushort priority = 10, ushort weight = 0) => new(priority, weight, port, target);

    public static string[] Endpoints(Resolution resolution) => resolution.Endpoints.Select(e => e.EndPoint.ToString()).ToArray();

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        Upstream.Dispose();
        Ca.Dispose();
    }

    private ServerResolver Build()
    {
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        _wellKnown = new WellKnownResolver(Fetcher, options, Time, NullLogger<WellKnownResolver>.Instance, Random);
        return new ServerResolver(Dns, _wellKnown, options, Time, NullLogger<ServerResolver>.Instance, Random);
    }
}
