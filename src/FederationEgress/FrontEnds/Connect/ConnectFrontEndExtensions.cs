using System.Net;
using FederationEgress.FrontEnds.Connect;
using FederationEgress.Security.LoopProtection;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration and hosting of the HTTP CONNECT forward-proxy front end.</summary>
public static class ConnectFrontEndExtensions
{
    /// <summary>
    /// Binds and validates the "Connect" section and registers the CONNECT front end. Needs
    /// <c>IDnsResolver</c>, <c>IEgressAddressPolicy</c>, <see cref="TimeProvider"/> and
    /// <c>IDestinationBackoff</c> (<c>AddEgressResilience</c>: the same back-off as the forwarder) registered.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">Root configuration.</param>
    /// <param name="destinationCheck">
    /// Optional destination allow/deny decision on the CONNECT host name: returns null to allow, or
    /// the reason for a 403 (wire the Security folder's destination policy here).
    /// </param>
    public static IServiceCollection AddEgressConnectFrontEnd(
        this IServiceCollection services,
        IConfiguration configuration,
        Func<IServiceProvider, Func<string, string?>>? destinationCheck = null)
    {
        services.AddOptions<ConnectFrontEndOptions>()
            .Bind(configuration.GetSection(ConnectFrontEndOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConnectFrontEndOptions>, ConnectFrontEndOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ConnectProxyAuthenticator>();
        services.TryAddSingleton<ListenerLoopGuard>();
        services.TryAddSingleton<ConnectDialer>();
        services.TryAddSingleton(sp => new ConnectDestinationCheck(destinationCheck?.Invoke(sp)));
        services.TryAddSingleton<ConnectTunnelHandler>();
        return services;
    }

    /// <summary>Opens the CONNECT listener on <c>Connect:Address</c>:<c>Connect:Port</c> when <c>Connect:Enabled</c> is true.</summary>
    public static KestrelServerOptions ListenEgressConnect(this KestrelServerOptions kestrel)
    {
        var options = kestrel.ApplicationServices.GetRequiredService<IOptions<ConnectFrontEndOptions>>().Value;
        if (options.Enabled)
        {
            kestrel.Listen(IPAddress.Parse(options.Address), options.Port, listen => listen.UseEgressConnectProxy());
        }

        return kestrel;
    }

    /// <summary>Makes <paramref name="listen"/> a raw CONNECT proxy (no HTTP pipeline runs on it).</summary>
    public static ListenOptions UseEgressConnectProxy(this ListenOptions listen)
    {
        var handler = listen.ApplicationServices.GetRequiredService<ConnectTunnelHandler>();
        listen.Run(handler.OnConnectedAsync);
        return listen;
    }
}
