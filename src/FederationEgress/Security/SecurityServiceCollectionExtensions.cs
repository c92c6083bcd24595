using FederationEgress.Security.ClientAuth;
using FederationEgress.Security.Destinations;
using FederationEgress.Security.Tls;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FederationEgress.Security;

/// <summary>DI registration of the security policies.</summary>
public static class SecurityServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IEgressAddressPolicy"/> (section <c>IpPolicy</c>), <see cref="ITlsPolicy"/>
    /// (<c>Tls</c>), <see cref="IDestinationPolicy"/> (<c>Destinations</c>) and
    /// <see cref="IClientAuthenticator"/> (<c>ClientAuth</c>, used by
    /// <see cref="ClientAuthApplicationBuilderExtensions.UseEgressClientAuth"/>), with options
    /// validated at startup.
    /// </summary>
    public static IServiceCollection AddEgressSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);

        AddOptions<IpPolicyOptions, IpPolicyOptionsValidator>(services, configuration, IpPolicyOptions.SectionName);
        AddOptions<TlsOptions, TlsOptionsValidator>(services, configuration, TlsOptions.SectionName);
        AddOptions<DestinationOptions, DestinationOptionsValidator>(services, configuration, DestinationOptions.SectionName);
        AddOptions<ClientAuthOptions, ClientAuthOptionsValidator>(services, configuration, ClientAuthOptions.SectionName);

        services.TryAddSingleton<IEgressAddressPolicy, EgressAddressPolicy>();
        services.TryAddSingleton<TrustAnchors>();
        services.TryAddSingleton<ITlsPolicy, TlsPolicy>();
        services.TryAddSingleton<IDestinationPolicy, DestinationPolicy>();
        services.TryAddSingleton<IClientAuthenticator, ClientAuthenticator>();
        return services;
    }

    private static void AddOptions<TOptions, TValidator>(IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
    }
}
