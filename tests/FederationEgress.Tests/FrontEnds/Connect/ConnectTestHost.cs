using System.Diagnostics.Metrics;
using System.Net;
using FederationEgress.Dns;
using FederationEgress.Resilience;
using FederationEgress.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FederationEgress.Tests.FrontEnds.Connect;

/// <summary>
/// A real Kestrel host running only the CONNECT listener on an ephemeral loopback port, with the
/// per-destination back-off bound from the "Backoff" settings on a private meter.
/// </summary>
internal sealed class ConnectTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ConnectTestHost(WebApplication app, FakeDnsResolver dns, TestAddressPolicy policy, Meter meter)
    {
        _app = app;
        Dns = dns;
        Policy = policy;
        Meter = meter;
    }

    public FakeDnsResolver Dns { get; }

    public TestAddressPolicy Policy { get; }

    /// <summary>The meter the back-off's instruments live on (private to this host).</summary>
    public Meter Meter { get; }

    /// <summary>The back-off the CONNECT front end consults.</summary>
    public IDestinationHealth Health => _app.Services.GetRequiredService<IDestinationHealth>();

    public IPEndPoint EndPoint { get; private set; } = null!;

    /// <param name="settings">Configuration ("Connect:…", "Backoff:…").</param>
    /// <param name="destinationCheck">Optional destination allow/deny decision.</param>
    /// <param name="time">The clock of the whole front end and its back-off (default: the system clock).</param>
    public static async Task<ConnectTestHost> StartAsync(IDictionary<string, string?> settings, Func<string, string?>? destinationCheck = null, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration["Connect:Enabled"] = "true";
        builder.Configuration.AddInMemoryCollection(settings);
        var dns = new FakeDnsResolver();
        var policy = new TestAddressPolicy();
        var meter = new Meter("connect-tests-" + Guid.NewGuid());
        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.Services.AddSingleton<IDnsResolver>(dns);
        builder.Services.AddSingleton<IEgressAddressPolicy>(policy);
        AddBackoff(builder.Services, builder.Configuration, meter);
        builder.Services.AddEgressConnectFrontEnd(builder.Configuration, destinationCheck is null ? null : _ => destinationCheck);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseEgressConnectProxy()));
        var app = builder.Build();
        var host = new ConnectTestHost(app, dns, policy, meter);
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;
        host.EndPoint = new IPEndPoint(IPAddress.Loopback, port);
        return host;
    }

    /// <summary>
    /// Registers one <see cref="DestinationBackoff"/> as back-off and health view, as
    /// <c>AddEgressResilience</c> does, but on <paramref name="meter"/> and without the shutdown
    /// coordinator (which needs the hosting area).
    /// </summary>
    internal static void AddBackoff(IServiceCollection services, IConfiguration configuration, Meter meter)
    {
        var options = new BackoffOptions { JitterFraction = 0 };
        configuration.GetSection(BackoffOptions.SectionName).Bind(options);
        var validation = new BackoffOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(BackoffOptions.SectionName, typeof(BackoffOptions), validation.Failures);
        }

        services.AddSingleton(sp => new DestinationBackoff(Options.Create(options), sp.GetRequiredService<TimeProvider>(), meter, sp.GetRequiredService<ILogger<DestinationBackoff>>()));
        services.AddSingleton<IDestinationBackoff>(sp => sp.GetRequiredService<DestinationBackoff>());
        services.AddSingleton<IDestinationHealth>(sp => sp.GetRequiredService<DestinationBackoff>());
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
        Meter.Dispose();
    }
}
