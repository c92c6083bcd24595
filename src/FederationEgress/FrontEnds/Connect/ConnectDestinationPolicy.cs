using FederationEgress.Security.Destinations;
using FederationEgress.ServerNames;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.FrontEnds.Connect;

/// <summary>Applies the operator's destination allow/deny lists (<c>Destinations</c>) to CONNECT target hosts.</summary>
public static class ConnectDestinationPolicy
{
    /// <summary>
    /// The decision for <c>AddEgressConnectFrontEnd</c>: null allows the host, otherwise the reason.
    /// A CONNECT host is checked as a server name without port (the lists' port-less entries apply).
    /// </summary>
    public static Func<string, string?> FromServices(IServiceProvider services)
    {
        var policy = services.GetRequiredService<IDestinationPolicy>();
        // IPv6 targets arrive without brackets; the server-name grammar wants them.
        return host => !ServerName.TryParse(host.Contains(':') && host[0] != '[' ? $"[{host}]" : host, out var name, out var error)
            ? $"'{host}' is not a valid host name: {error}"
            : policy.IsAllowed(name, out var reason) ? null : reason;
    }
}
