using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using FederationEgress.Forwarding;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Tests.FrontEnds.Synapse;

/// <summary>
/// A real Kestrel host with the Synapse listener (adapter + middleware) on an ephemeral loopback
/// port, a plain second listener, and a terminal endpoint that echoes what the forwarding endpoint
/// would receive (method, raw target, headers, body, profile) as JSON.
/// </summary>
internal sealed class SynapseTestHost : IAsyncDisposable
{
    public const string Secret = "secret_secret";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<EchoedRequest> _seen = new();

    private SynapseTestHost(WebApplication app) => _app = app;

    public EndPoint SynapseEndPoint { get; private set; } = null!;

    public IPEndPoint PlainEndPoint { get; private set; } = null!;

    /// <summary>Requests that reached the terminal endpoint, in order.</summary>
    public IReadOnlyList<EchoedRequest> Seen => _seen.ToArray();

    /// <summary>Replaces the echo (e.g. to break a response mid-way); null restores it.</summary>
    public Func<HttpContext, Task>? Handler { get; set; }

    public static async Task<SynapseTestHost> StartAsync(string? unixSocketPath = null, (string Certificate, string Key)? tlsFiles = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration["Synapse:Enabled"] = "true";
        builder.Configuration["Synapse:SharedSecret"] = Secret;
        if (unixSocketPath is not null)
        {
            builder.Configuration["Synapse:UnixSocketPath"] = unixSocketPath;
        }

        IPEndPoint? tlsEndPoint = null;
        if (tlsFiles is { } files)
        {
            // Synapse:Port must be a real port: a fresh loopback address keeps 8011 free for each host.
            tlsEndPoint = new IPEndPoint(FederationEgress.Testing.Fakes.LoopbackEndpoints.NextAddress(), 8011);
            builder.Configuration["Synapse:Address"] = tlsEndPoint.Address.ToString();
            builder.Configuration["Synapse:Port"] = "8011";
            builder.Configuration["Synapse:TlsCertificateFile"] = files.Certificate;
            builder.Configuration["Synapse:TlsKeyFile"] = files.Key;
        }

        builder.Services.AddEgressSynapseFrontEnd(builder.Configuration);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (unixSocketPath is not null)
            {
                // The production path: Synapse:UnixSocketPath, stale-file handling included.
                kestrel.ListenEgressSynapse();
            }
            else if (tlsFiles is not null)
            {
                // The production path for TLS (certificate from Synapse:TlsCertificateFile/KeyFile).
                kestrel.ListenEgressSynapse();
            }
            else
            {
                kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseEgressSynapseProtocol());
            }

            kestrel.Listen(IPAddress.Loopback, 0);
        });

        var app = builder.Build();
        var host = new SynapseTestHost(app);
        app.UseEgressSynapseFrontEnd();
        app.Run(host.HandleAsync);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Where(a => a.StartsWith("http://127.0.0.1", StringComparison.Ordinal))
            .Select(a => new Uri(a).Port)
            .ToList();
        if (tlsEndPoint is not null)
        {
            host.SynapseEndPoint = tlsEndPoint;
            host.PlainEndPoint = new IPEndPoint(IPAddress.Loopback, addresses.Single());
        }
        else if (unixSocketPath is not null)
        {
            host.SynapseEndPoint = new System.Net.Sockets.UnixDomainSocketEndPoint(unixSocketPath);
            host.PlainEndPoint = new IPEndPoint(IPAddress.Loopback, addresses.Single());
        }
        else
        {
            // Listeners bind in the order they were configured.
            host.SynapseEndPoint = new IPEndPoint(IPAddress.Loopback, addresses[0]);
            host.PlainEndPoint = new IPEndPoint(IPAddress.Loopback, addresses[1]);
        }

        return host;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (Handler is { } handler)
        {
            await handler(context);
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var profile = context.Features.Get<IForwardingProfileFeature>()?.Profile;
        var echoed = new EchoedRequest(
            context.Request.Method,
            context.Features.Get<IHttpRequestFeature>()!.RawTarget,
            context.Request.Headers.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? string.Empty))).ToList(),
            System.Text.Encoding.UTF8.GetString(body.ToArray()),
            profile?.Name,
            profile?.RequestHeaderAllowList?.Order(StringComparer.Ordinal).ToList(),
            profile?.ErrorMessageKey);
        _seen.Enqueue(echoed);
        var json = JsonSerializer.SerializeToUtf8Bytes(echoed);
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted);
    }
}
