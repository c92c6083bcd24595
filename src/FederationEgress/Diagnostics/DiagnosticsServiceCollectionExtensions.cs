using FederationEgress.Diagnostics.Health;
using FederationEgress.Diagnostics.Report;
using FederationEgress.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FederationEgress.Diagnostics;

/// <summary>DI registration of the operator diagnostics: resolve reports and readiness checks.</summary>
public static class DiagnosticsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ResolveDiagnostics"/> (used by <c>MapEgressResolveEndpoint</c> and the
    /// <c>resolve</c> CLI) with its TLS endpoint checker, and the DNS readiness check. Needs the
    /// discovery, security, DNS and forwarding registrations. No configuration section of its own:
    /// the TLS check uses <c>Forwarding:ConnectTimeoutSeconds</c> and <c>Forwarding:TlsHandshakeTimeoutSeconds</c>.
    /// </summary>
    public static IServiceCollection AddEgressDiagnostics(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TlsEndpointChecker>();
        services.TryAddSingleton(sp => new ResolveDiagnostics(
            sp.GetRequiredService<Discovery.IServerResolverDiagnostics>(),
            sp.GetRequiredService<TlsEndpointChecker>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReadinessCheck, DnsReadinessCheck>());
        return services;
    }
}
