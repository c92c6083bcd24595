using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FederationEgress.Hosting;

/// <summary>The management listener's built-in endpoints: liveness and readiness.</summary>
internal static class ManagementEndpoints
{
    /// <summary>Maps GET /healthz (the process serves requests) and GET /readyz (started, not draining, every <see cref="IReadinessCheck"/> passes).</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", static () => Results.Text("ok\n"));
        endpoints.MapGet("/readyz", static (ReadinessState readiness) => readiness.TryGetNotReadyReason(out var reason)
            ? Results.Text($"not ready: {reason}\n", statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("ready\n"));
    }
}
