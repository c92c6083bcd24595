using System.Text;
using FederationEgress.Diagnostics;
using FederationEgress.Diagnostics.Report;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the resolve report on the management listener.</summary>
public static class ResolveEndpointRouteBuilderExtensions
{
    /// <summary>The route: the server name is one segment, raw or percent-encoded (<c>%5B%3A%3A1%5D%3A8448</c>).</summary>
    public const string Route = "/_egress/v1/resolve/{serverName}";

    /// <summary>
    /// Maps <c>GET /_egress/v1/resolve/{serverName}[?fresh=true][&amp;connect=true]</c>. Call it only
    /// from the management branch (<c>UseEgressListeners(mapManagement)</c>): the report discloses
    /// internal addresses and can make the proxy dial out.
    /// </summary>
    public static IEndpointRouteBuilder MapEgressResolveEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Route, HandleAsync);
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, string serverName)
    {
        if (!TryFlag(context, "fresh", out var fresh, out var flagError) || !TryFlag(context, "connect", out var connect, out flagError))
        {
            await WriteBadRequestAsync(context, "invalid_query", flagError).ConfigureAwait(false);
            return;
        }

        if (!ResolveDiagnostics.TryParse(serverName, out var name, out var error))
        {
            await WriteBadRequestAsync(context, "invalid_server_name", $"'{serverName}' is not a server name: {error}").ConfigureAwait(false);
            return;
        }

        var diagnostics = context.RequestServices.GetRequiredService<ResolveDiagnostics>();
        var report = await diagnostics.ResolveAsync(serverName, name, fresh, connect, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.Headers.CacheControl = "no-store";
        await WriteJsonAsync(context, DiagnosticJson.Serialize(report)).ConfigureAwait(false);
    }

    private static bool TryFlag(HttpContext context, string key, out bool value, out string error)
    {
        value = false;
        error = string.Empty;
        if (!context.Request.Query.TryGetValue(key, out var raw))
        {
            return true;
        }

        if (raw.Count == 1 && (bool.TryParse(raw[0], out value) || TryDigit(raw[0], out value)))
        {
            return true;
        }

        error = $"query parameter '{key}' must be true or false (got '{raw}')";
        return false;
    }

    private static bool TryDigit(string? raw, out bool value)
    {
        value = raw == "1";
        return raw is "0" or "1";
    }

    private static Task WriteBadRequestAsync(HttpContext context, string error, string message)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return WriteJsonAsync(context, DiagnosticJson.Serialize(new Dictionary<string, string> { ["error"] = error, ["message"] = message }));
    }

    private static Task WriteJsonAsync(HttpContext context, string json)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(json + "\n", Encoding.UTF8, context.RequestAborted);
    }
}
