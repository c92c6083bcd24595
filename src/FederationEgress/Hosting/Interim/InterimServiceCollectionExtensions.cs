using FederationEgress.Discovery;
using FederationEgress.Dns;
using FederationEgress.Hosting.Interim;
using FederationEgress.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Stand-ins for areas merged later (discovery, DNS, address policy).</summary>
public static class InterimServiceCollectionExtensions
{
    /// <summary>
    /// Registers the interim resolver (spec steps 1-2), OS DNS and an allow-all address policy, each
    /// only when nothing else is registered for the contract. Remove once AddEgressDiscovery,
    /// AddEgressDns and AddEgressSecurity are composed in Program.cs.
    /// </summary>
    public static IServiceCollection AddEgressInterimDependencies(this IServiceCollection services)
    {
        services.TryAddSingleton<IDnsResolver, InterimSystemDnsResolver>();
        services.TryAddSingleton<IServerResolver, InterimLiteralServerResolver>();
        services.TryAddSingleton<IEgressAddressPolicy, InterimAllowAllAddressPolicy>();
        return services;
    }
}
