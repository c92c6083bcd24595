using FederationEgress.Forwarding;
using FederationEgress.Forwarding.Upstream;
using FederationEgress.Security.LoopProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the forwarding core.</summary>
public static class ForwardingServiceCollectionExtensions
{
    private const string YarpForwarderCategory = "Yarp.ReverseProxy.Forwarder.HttpForwarder";

    /// <summary>
    /// Adds the path-mode endpoint, <see cref="IEgressForwarder"/>, the upstream handlers
    /// (<see cref="IUpstreamHandlerFactory"/>) and the "Forwarding" options. Needs an
    /// <c>IServerResolver</c>, <c>IDnsResolver</c> and <c>IEgressAddressPolicy</c> from their areas.
    /// Certificates are checked by the security area's <c>ITlsPolicy</c> (<c>AddEgressSecurity</c>).
    /// </summary>
    public static IServiceCollection AddEgressForwarding(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ForwardingOptions>().Bind(configuration.GetSection(ForwardingOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ForwardingOptions>, ForwardingOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpForwarder();

        // EgressForwarder logs each failure once, with the step and trace id; YARP's own per-request
        // logs would repeat it (with stack traces) for every failed request.
        services.Configure<LoggerFilterOptions>(o => o.AddFilter(YarpForwarderCategory, LogLevel.Error));
        services.TryAddSingleton<FederationEgress.Hosting.DestinationConcurrencyLimit>();
        services.TryAddSingleton<IUpstreamSocketDialer, UpstreamSocketDialer>();
        services.TryAddSingleton<ListenerLoopGuard>();
        services.TryAddSingleton<RecentConnections>();
        services.AddSingleton<UpstreamConnector>();
        services.AddSingleton<UpstreamHandlerFactory>();
        services.AddSingleton<IUpstreamHandlerFactory>(sp => sp.GetRequiredService<UpstreamHandlerFactory>());
        services.AddSingleton<EgressHttpTransformer>();
        services.AddSingleton<IEgressForwarder, EgressForwarder>();
        services.AddSingleton<PathModeEndpoint>();
        return services;
    }
}
