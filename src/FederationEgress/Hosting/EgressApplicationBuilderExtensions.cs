using FederationEgress.Forwarding;
using FederationEgress.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Builds the request pipelines of the two listeners.</summary>
public static class EgressApplicationBuilderExtensions
{
    /// <summary>
    /// Sends management-listener requests to their own branch (healthz, readyz, plus whatever
    /// <paramref name="mapManagement"/> maps) and applies the concurrency limit to the rest.
    /// Middleware added after this call only sees forwarding-listener requests.
    /// </summary>
    public static WebApplication UseEgressListeners(this WebApplication app, Action<IEndpointRouteBuilder>? mapManagement = null)
    {
        app.MapWhen(
            static context => EgressListeners.RoleOf(context) == ListenerRole.Management,
            branch =>
            {
                branch.UseRouting();
                branch.UseEndpoints(endpoints =>
                {
                    ManagementEndpoints.Map(endpoints);
                    mapManagement?.Invoke(endpoints);
                });
            });

        // Anything not tagged (should not happen) must never reach the forwarder.
        app.Use(static (context, next) => EgressListeners.RoleOf(context) is ListenerRole.Forwarding or ListenerRole.Synapse
            ? next(context)
            : WriteNotFound(context));

        var limit = app.Services.GetRequiredService<ConcurrencyLimit>();
        app.Use(limit.InvokeAsync);
        return app;
    }

    /// <summary>Ends the forwarding pipeline with the path-mode endpoint <c>/{serverName}/{path}</c>.</summary>
    public static WebApplication RunEgressPathMode(this WebApplication app)
    {
        var endpoint = app.Services.GetRequiredService<PathModeEndpoint>();
        app.Run(endpoint.HandleAsync);
        return app;
    }

    private static Task WriteNotFound(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
