using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FederationEgress.Hosting;

/// <summary>The management listener's built-in endpoints: liveness and readiness.</summary>
internal static class ManagementEndpoints
{
    /// <summary>Maps GET /healthz (the process serves requests) and GET /readyz (started and not draining).</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", static () => Results.Text("ok\n"));
        endpoints.MapGet("/readyz", static (ReadinessState readiness) => readiness.IsReady
            ? Results.Text("ready\n")
            : Results.Text("not ready\n", statusCode: StatusCodes.Status503ServiceUnavailable));
    }
}
