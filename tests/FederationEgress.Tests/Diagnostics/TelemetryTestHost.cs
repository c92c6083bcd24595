using System.Net;
using FederationEgress.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Tests.Diagnostics;

/// <summary>
/// A minimal ASP.NET Core app on a loopback port with <see cref="TelemetryServiceCollectionExtensions.AddEgressTelemetry"/>
/// and only the configuration given (no process environment), standing in for the proxy, which is built in parallel.
/// </summary>
internal sealed class TelemetryTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TelemetryTestHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    internal EgressTelemetryService Telemetry => _app.Services.GetRequiredService<EgressTelemetryService>();

    /// <summary>Settings every exporting test wants: export batches quickly so waits are short.</summary>
    public static Dictionary<string, string?> FastExport(Uri endpoint, string protocol) => new()
    {
        ["Telemetry:OtlpEndpoint"] = endpoint.ToString(),
        ["Telemetry:OtlpProtocol"] = protocol,
        ["Telemetry:MetricExportIntervalMilliseconds"] = "200",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "50",
    };

    public static async Task<TelemetryTestHost> StartAsync(
        IDictionary<string, string?> configuration,
        Action<WebApplication>? map = null,
        Action<IServiceCollection>? services = null,
        Action<ILoggingBuilder>? logging = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.Services.AddEgressTelemetry(builder.Configuration);
        services?.Invoke(builder.Services);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));

        var app = builder.Build();
        if (map is null)
        {
            app.MapGet("/", () => "ok");
        }
        else
        {
            map(app);
        }

        await app.StartAsync();
        return new TelemetryTestHost(app, new Uri(app.Urls.First()));
    }

    /// <summary>A client that sends no tracing headers of its own (tests set <c>traceparent</c> explicitly).</summary>
    public HttpClient CreateClient() =>
        new(new SocketsHttpHandler { ActivityHeadersPropagator = null, UseProxy = false }) { BaseAddress = BaseAddress };

    /// <summary>Stops the host, which flushes telemetry.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
