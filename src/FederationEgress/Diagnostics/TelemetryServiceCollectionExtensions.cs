using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FederationEgress.Diagnostics;

/// <summary>DI registration of the telemetry feature.</summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates the "Telemetry" section, registers <see cref="EgressMetrics"/>, the
    /// hosted service that owns the OpenTelemetry SDK (OTLP export of traces and metrics, off unless
    /// an endpoint is configured) and a startup filter that tags the incoming-request span of every
    /// pipeline (forwarding and management listeners alike). Call it before anything that registers other hosted services so
    /// the providers exist before the first request and flush after the last.
    /// </summary>
    public static IServiceCollection AddEgressTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(EgressTelemetryService)))
        {
            // Idempotent: a second SDK would export everything twice.
            return services;
        }

        services.AddOptions<EgressTelemetryOptions>()
            .Bind(configuration.GetSection(EgressTelemetryOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<EgressTelemetryOptions>>(new EgressTelemetryOptionsValidator(configuration));

        services.TryAddSingleton(EgressMetrics.Default);
        services.AddTransient<IStartupFilter, RequestTelemetryStartupFilter>();

        services.TryAddSingleton(sp => new EgressTelemetryService(
            sp.GetRequiredService<IOptions<EgressTelemetryOptions>>(),
            configuration,
            sp.GetRequiredService<ILogger<EgressTelemetryService>>(),
            sp.GetService<TimeProvider>()));
        services.AddHostedService(sp => sp.GetRequiredService<EgressTelemetryService>());
        return services;
    }
}
