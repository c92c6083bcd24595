using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace FederationEgress.Testing.EndToEnd;

/// <summary>Scripted answers for <see cref="Tls.TlsTestServer.Handler"/> in end-to-end tests.</summary>
public static class RemoteHandlers
{
    /// <summary>The well-known path every delegation fetch asks for.</summary>
    public const string WellKnownPath = "/.well-known/matrix/server";

    /// <summary>Answers the well-known path with <c>{"m.server": mServer}</c> (and optional Cache-Control); 404 elsewhere.</summary>
    public static Func<HttpContext, Task> WellKnown(string mServer, string? cacheControl = null) => context =>
    {
        if (context.Request.Path != WellKnownPath)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        if (cacheControl is not null)
        {
            context.Response.Headers.CacheControl = cacheControl;
        }

        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["m.server"] = mServer }));
    };

    /// <summary>Answers every request with <paramref name="status"/> and an empty body.</summary>
    public static Func<HttpContext, Task> Status(int status) => context =>
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    };
}
