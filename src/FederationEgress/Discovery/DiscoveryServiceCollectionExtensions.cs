using FederationEgress.Discovery.WellKnown;
using FederationEgress.Dns;
using FederationEgress.Forwarding;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FederationEgress.Discovery;

/// <summary>DI registration of server discovery.</summary>
public static class DiscoveryServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IServerResolver"/> and <see cref="IServerResolverDiagnostics"/> (one
    /// singleton), the well-known fetcher and cache, and <see cref="DiscoveryOptions"/> bound from the
    /// <c>Discovery</c> section and validated at start. Needs an <see cref="IDnsResolver"/> and an
    /// <see cref="IUpstreamHandlerFactory"/> registered by their features.
    /// </summary>
    public static IServiceCollection AddEgressDiscovery(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<DiscoveryOptions>()
            .Bind(configuration.GetSection(DiscoveryOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DiscoveryOptions>, DiscoveryOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(sp => new WellKnownFetcher(
            sp.GetRequiredService<IUpstreamHandlerFactory>(),
            sp.GetRequiredService<IOptions<DiscoveryOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<WellKnownFetcher>>()));
        services.TryAddSingleton(sp => new WellKnownResolver(
            sp.GetRequiredService<WellKnownFetcher>(),
            sp.GetRequiredService<IOptions<DiscoveryOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<WellKnownResolver>>()));
        services.TryAddSingleton(sp => new ServerResolver(
            sp.GetRequiredService<IDnsResolver>(),
            sp.GetRequiredService<WellKnownResolver>(),
            sp.GetRequiredService<IOptions<DiscoveryOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ServerResolver>>()));
        services.TryAddSingleton<IServerResolver>(sp => sp.GetRequiredService<ServerResolver>());
        services.TryAddSingleton<IServerResolverDiagnostics>(sp => sp.GetRequiredService<ServerResolver>());
        return services;
    }
}
