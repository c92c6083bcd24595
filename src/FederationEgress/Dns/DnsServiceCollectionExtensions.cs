using FederationEgress.Dns.Caching;
using FederationEgress.Dns.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FederationEgress.Dns;

/// <summary>DI registration for the DNS stub client and cached resolver.</summary>
public static class DnsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="DnsOptions"/> (section <c>Dns</c>, validated at start), <see cref="IDnsClient"/>
    /// (stub resolver), <see cref="IDnsResolver"/> (cached, single-flight, serve-stale) as singletons,
    /// and <see cref="TimeProvider.System"/> unless a TimeProvider is already registered. The client's
    /// timeouts run on that TimeProvider too.
    /// </summary>
    public static IServiceCollection AddEgressDns(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddLogging();
        services.AddOptions<DnsOptions>()
            .Bind(configuration.GetSection(DnsOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DnsOptions>, DnsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IDnsClient>(sp => new DnsStubClient(
            DnsClientSettings.Create(sp.GetRequiredService<IOptions<DnsOptions>>().Value),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DnsStubClient>>()));
        services.TryAddSingleton<IDnsResolver>(sp => new CachingDnsResolver(
            sp.GetRequiredService<IDnsClient>(),
            sp.GetRequiredService<IOptions<DnsOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CachingDnsResolver>>()));
        return services;
    }
}
