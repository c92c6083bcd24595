using System.Net;
using FederationEgress.Dns;
using FederationEgress.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Tests.FrontEnds.Connect;

/// <summary>A real Kestrel host running only the CONNECT listener on an ephemeral loopback port.</summary>
internal sealed class ConnectTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ConnectTestHost(WebApplication app, FakeDnsResolver dns, TestAddressPolicy policy)
    {
        _app = app;
        Dns = dns;
        Policy = policy;
    }

    public FakeDnsResolver Dns { get; }

    public TestAddressPolicy Policy { get; }

    public IPEndPoint EndPoint { get; private set; } = null!;

    public static async Task<ConnectTestHost> StartAsync(IDictionary<string, string?> settings, Func<string, string?>? destinationCheck = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration["Connect:Enabled"] = "true";
        builder.Configuration.AddInMemoryCollection(settings);
        var dns = new FakeDnsResolver();
        var policy = new TestAddressPolicy();
        builder.Services.AddSingleton<IDnsResolver>(dns);
        builder.Services.AddSingleton<IEgressAddressPolicy>(policy);
        builder.Services.AddEgressConnectFrontEnd(builder.Configuration, destinationCheck is null ? null : _ => destinationCheck);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseEgressConnectProxy()));
        var app = builder.Build();
        var host = new ConnectTestHost(app, dns, policy);
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;
        host.EndPoint = new IPEndPoint(IPAddress.Loopback, port);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
