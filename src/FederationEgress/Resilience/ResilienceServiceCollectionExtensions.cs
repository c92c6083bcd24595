using FederationEgress.Diagnostics;
using FederationEgress.Resilience;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers per-destination back-off and graceful shutdown.</summary>
public static class ResilienceServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IDestinationBackoff"/> and <see cref="IDestinationHealth"/> (one singleton,
    /// section "Backoff") and graceful shutdown (section "Shutdown": the host's shutdown timeout and
    /// the optional pre-close delay, before which readiness turns false). Needs the
    /// <c>ReadinessState</c> registered by <c>AddEgressHosting</c>.
    /// </summary>
    public static IServiceCollection AddEgressResilience(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<BackoffOptions>().Bind(configuration.GetSection(BackoffOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BackoffOptions>, BackoffOptionsValidator>());
        services.AddOptions<ShutdownOptions>().Bind(configuration.GetSection(ShutdownOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ShutdownOptions>, ShutdownOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(sp => new DestinationBackoff(
            sp.GetRequiredService<IOptions<BackoffOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            EgressTelemetry.Meter,
            sp.GetRequiredService<ILogger<DestinationBackoff>>()));
        services.TryAddSingleton<IDestinationBackoff>(sp => sp.GetRequiredService<DestinationBackoff>());
        services.TryAddSingleton<IDestinationHealth>(sp => sp.GetRequiredService<DestinationBackoff>());

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<HostOptions>, HostShutdownTimeout>());
        services.TryAddSingleton<ShutdownCoordinator>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<ShutdownCoordinator>());
        return services;
    }
}
