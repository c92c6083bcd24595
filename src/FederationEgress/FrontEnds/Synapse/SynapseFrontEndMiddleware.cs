using FederationEgress.Errors;
using FederationEgress.Forwarding;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace FederationEgress.FrontEnds.Synapse;

/// <summary>
/// For requests that arrived on the Synapse listener (recognised by the state the connection
/// adapter put in the connection items): answers the adapter's rejection marker with 400 + close,
/// enforces <c>Proxy-Authorization: Bearer &lt;secret&gt;</c> with Synapse's exact 401 bodies, and
/// selects <see cref="SynapseForwardingProfile"/>. Other requests pass untouched.
/// </summary>
internal sealed partial class SynapseFrontEndMiddleware
{
    private static readonly byte[] MissingTokenBody = """{"errcode":"M_MISSING_TOKEN","err":"Missing Proxy-Authorization header."}"""u8.ToArray();
    private static readonly byte[] TooManyBody = """{"errcode":"M_UNAUTHORIZED","err":"Too many Proxy-Authorization headers."}"""u8.ToArray();
    private static readonly byte[] InvalidBody = """{"errcode":"M_UNAUTHORIZED","err":"Invalid Proxy-Authorization header."}"""u8.ToArray();

    private readonly RequestDelegate _next;
    private readonly SynapseProxyAuthenticator _authenticator;
    private readonly SynapseForwardingProfile _profile;
    private readonly ILogger _logger;

    public SynapseFrontEndMiddleware(RequestDelegate next, SynapseProxyAuthenticator authenticator, SynapseForwardingProfile profile, ILogger<SynapseFrontEndMiddleware> logger)
    {
        _next = next;
        _authenticator = authenticator;
        _profile = profile;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is null || !items.TryGetValue(SynapseConnectionState.ItemKey, out var value) || value is not SynapseConnectionState state)
        {
            return _next(context);
        }

        if (context.Features.Get<IHttpRequestFeature>()?.RawTarget == "*")
        {
            return RejectAsync(context, state.Rejection ?? "request not accepted on the Synapse listener");
        }

        var request = context.Request;
        var auth = _authenticator.Check(request.Headers[HeaderNames.ProxyAuthorization]);
        if (auth != SynapseAuthResult.Authorized)
        {
            Log.Unauthorized(_logger, auth, request.Method, context.Connection.Id);
            return WriteAsync(context, StatusCodes.Status401Unauthorized, auth switch
            {
                SynapseAuthResult.Missing => MissingTokenBody,
                SynapseAuthResult.TooMany => TooManyBody,
                _ => InvalidBody,
            });
        }

        // Authorised: the secret never travels further (and is never forwarded or logged).
        request.Headers.Remove(HeaderNames.ProxyAuthorization);
        context.Features.Set<IForwardingProfileFeature>(_profile.Feature);
        return _next(context);
    }

    private static async Task RejectAsync(HttpContext context, string reason)
    {
        context.Response.Headers.Connection = "close";
        await using var buffer = new MemoryStream();
        await using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("errcode", EgressErrorMapper.ErrCode(EgressErrorKind.InvalidRequestTarget));
            writer.WriteString("err", "Bad request: " + reason);
            writer.WriteEndObject();
        }

        await WriteAsync(context, StatusCodes.Status400BadRequest, buffer.ToArray());
    }

    private static Task WriteAsync(HttpContext context, int status, byte[] body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private static partial class Log
    {
        [LoggerMessage(6010, LogLevel.Warning, "Synapse listener: refused {Method} on connection {ConnectionId}: Proxy-Authorization {Result}")]
        public static partial void Unauthorized(ILogger logger, SynapseAuthResult result, string method, string connectionId);
    }
}
