using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Testing.Tls;

/// <summary>
/// A real HTTPS server on a loopback address (Kestrel), presenting a certificate from a
/// <see cref="TestCertificateAuthority"/>. Records every request as the remote saw it (SNI, Host,
/// raw target, headers, body) and answers with a scripted handler.
/// </summary>
public sealed class TlsTestServer : IAsyncDisposable
{
    private const string SniItemKey = "fe.sni";
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private int _connections;

    private TlsTestServer(WebApplication app, IPEndPoint endPoint)
    {
        _app = app;
        EndPoint = endPoint;
    }

    /// <summary>Where the server listens.</summary>
    public IPEndPoint EndPoint { get; private set; }

    /// <summary>The listening port.</summary>
    public int Port => EndPoint.Port;

    /// <summary>Requests received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    /// <summary>TCP connections accepted so far.</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>
    /// The handler answering requests; replaceable at any time. The default answers 200
    /// <c>{"ok":true}</c>.
    /// </summary>
    public Func<HttpContext, Task> Handler { get; set; } = DefaultHandler;

    /// <summary>
    /// The certificate presented; replaceable at any time (new connections see the new one).
    /// </summary>
    public X509Certificate2 Certificate { get; set; } = null!;

    /// <summary>Starts a server on <paramref name="address"/> (default 127.0.0.1) and an ephemeral or given port.</summary>
    public static async Task<TlsTestServer> StartAsync(
        X509Certificate2 certificate,
        IPAddress? address = null,
        int port = 0,
        HttpProtocols protocols = HttpProtocols.Http1AndHttp2)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        TlsTestServer? self = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(address ?? IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = protocols;
                listen.Use(next => async connection =>
                {
                    Interlocked.Increment(ref self!._connections);
                    await next(connection);
                });
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificateSelector = (connection, sni) =>
                    {
                        if (connection is not null)
                        {
                            connection.Items[SniItemKey] = sni;
                        }

                        return self!.Certificate;
                    },
                });
            });
        });

        var app = builder.Build();
        self = new TlsTestServer(app, new IPEndPoint(address ?? IPAddress.Loopback, port)) { Certificate = certificate };
        app.Run(self.HandleAsync);
        await app.StartAsync();
        var bound = app.Urls.Select(u => new Uri(u)).First();
        self.EndPoint = new IPEndPoint(address ?? IPAddress.Loopback, bound.Port);
        return self;
    }

    /// <summary>Default handler: 200 with a small JSON body.</summary>
    public static Task DefaultHandler(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("{\"ok\":true}");
    }

    /// <summary>Forgets recorded requests.</summary>
    public void ClearRequests() => _requests.Clear();

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }

    /// <summary>
    /// When set, requests go straight to this handler before the body is read (and are not
    /// recorded), so a test can observe a request body while it is still streaming.
    /// </summary>
    public Func<HttpContext, Task>? StreamingHandler { get; set; }

    private async Task HandleAsync(HttpContext context)
    {
        if (StreamingHandler is { } streaming)
        {
            await streaming(context);
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        var sni = items is not null && items.TryGetValue(SniItemKey, out var value) ? value as string : null;
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path + context.Request.QueryString;
        _requests.Enqueue(new RecordedRequest(
            string.IsNullOrEmpty(sni) ? null : sni,
            context.Request.Method,
            rawTarget,
            context.Request.Host.Value ?? string.Empty,
            context.Request.Protocol,
            headers,
            body.ToArray(),
            context.Connection.LocalPort));
        await Handler(context);
    }
}
