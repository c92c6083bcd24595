using FederationEgress.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers listeners, limits and readiness.</summary>
public static class HostingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the "Listen", "Management" and "Limits" options (validated at start), the two Kestrel
    /// listeners, the concurrency limit and readiness tracking.
    /// </summary>
    public static IServiceCollection AddEgressHosting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EgressListenOptions>().Bind(configuration.GetSection(EgressListenOptions.SectionName)).ValidateOnStart();
        services.AddOptions<ManagementOptions>().Bind(configuration.GetSection(ManagementOptions.SectionName)).ValidateOnStart();
        services.AddOptions<LimitsOptions>().Bind(configuration.GetSection(LimitsOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<HostingOptionsValidator>();
        services.AddSingleton<IValidateOptions<EgressListenOptions>>(sp => sp.GetRequiredService<HostingOptionsValidator>());
        services.AddSingleton<IValidateOptions<ManagementOptions>>(sp => sp.GetRequiredService<HostingOptionsValidator>());
        services.AddSingleton<IValidateOptions<LimitsOptions>>(sp => sp.GetRequiredService<HostingOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<EgressListeners>();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelSetup>();
        services.AddSingleton<ReadinessState>();
        services.AddSingleton<ConcurrencyLimit>();
        services.TryAddSingleton<DestinationConcurrencyLimit>();
        services.AddSingleton<ReadinessLifecycleService>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<ReadinessLifecycleService>());
        services.AddRouting();
        return services;
    }
}
