using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace FederationEgress.Diagnostics;

/// <summary>
/// Gives ASP.NET Core's incoming-request span (which the framework leaves untagged without the
/// instrumentation package) its semantic-convention attributes and a <c>{method} {route}</c> name,
/// so the root of every proxy trace says what was asked and how it ended. Does nothing when the
/// request is not traced.
/// </summary>
internal sealed class RequestTelemetryMiddleware
{
    private readonly RequestDelegate _next;

    public RequestTelemetryMiddleware(RequestDelegate next)
    {
        _next = next;
    }

    public Task InvokeAsync(HttpContext context)
    {
        // Untraced requests (no exporter) pass straight through, without a state machine of their own.
        var activity = context.Features.Get<IHttpActivityFeature>()?.Activity;
        return activity.IsTraced() ? InvokeTracedAsync(context, activity) : _next(context);
    }

    private async Task InvokeTracedAsync(HttpContext context, Activity activity)
    {
        var request = context.Request;
        var method = EgressMetrics.NormalizeMethod(request.Method);
        activity.SetTag(EgressTagNames.HttpRequestMethod, method);
        if (method == "_OTHER")
        {
            activity.SetTag("http.request.method_original", request.Method);
        }

        activity.SetTag("url.scheme", request.Scheme);
        activity.SetTag("url.path", request.Path.Value);
        activity.SetTag("network.protocol.version", ProtocolVersion(request.Protocol));
        activity.SetTag("client.address", context.Connection.RemoteIpAddress?.ToString());
        if (request.Host.HasValue)
        {
            activity.SetTag(EgressTagNames.ServerAddress, request.Host.Host);
            if (request.Host.Port is { } port)
            {
                activity.SetTag(EgressTagNames.ServerPort, port);
            }
        }

        try
        {
            await _next(context);
        }
        catch (Exception ex)
        {
            activity.SetTag(EgressTagNames.ErrorType, ex.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }

        var status = context.Response.StatusCode;
        activity.SetTag(EgressTagNames.HttpResponseStatusCode, status);
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        if (route is not null)
        {
            activity.SetTag("http.route", route);
            activity.DisplayName = $"{method} {route}";
        }
        else
        {
            activity.DisplayName = method;
        }

        // Server spans fail on 5xx only; a 4xx is the client's mistake. Keep a more precise
        // error.type set by the forwarding endpoint (e.g. "dns_failed").
        if (status >= StatusCodes.Status500InternalServerError)
        {
            if (activity.GetTagItem(EgressTagNames.ErrorType) is null)
            {
                activity.SetTag(EgressTagNames.ErrorType, status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (activity.Status != ActivityStatusCode.Error)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }
    }

    private static string ProtocolVersion(string protocol) => protocol switch
    {
        "HTTP/1.1" => "1.1",
        "HTTP/2" => "2",
        "HTTP/3" => "3",
        "HTTP/1.0" => "1.0",
        _ => protocol,
    };
}
