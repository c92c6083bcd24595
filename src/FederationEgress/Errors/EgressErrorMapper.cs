using System.Text.Json;
using FederationEgress.Forwarding;
using Microsoft.AspNetCore.Http;

namespace FederationEgress.Errors;

/// <summary>The one place where failures become HTTP statuses, Matrix errcodes and JSON bodies.</summary>
public static class EgressErrorMapper
{
    // Reasons quote names and paths; keep them readable rather than \u-escaped.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>HTTP status for a failure kind.</summary>
    public static int StatusCode(EgressErrorKind kind) => kind switch
    {
        EgressErrorKind.InvalidServerName => StatusCodes.Status400BadRequest,
        EgressErrorKind.InvalidRequestTarget => StatusCodes.Status400BadRequest,
        EgressErrorKind.ClientUnauthorized => StatusCodes.Status401Unauthorized,
        EgressErrorKind.ClientForbidden => StatusCodes.Status403Forbidden,
        EgressErrorKind.DestinationDenied => StatusCodes.Status403Forbidden,
        EgressErrorKind.AddressDenied => StatusCodes.Status403Forbidden,
        EgressErrorKind.LoopDetected => StatusCodes.Status403Forbidden,
        EgressErrorKind.DnsFailed => StatusCodes.Status502BadGateway,
        EgressErrorKind.NoAddresses => StatusCodes.Status502BadGateway,
        EgressErrorKind.ServiceUnavailable => StatusCodes.Status502BadGateway,
        EgressErrorKind.ConnectFailed => StatusCodes.Status502BadGateway,
        EgressErrorKind.TlsFailed => StatusCodes.Status502BadGateway,
        EgressErrorKind.UpstreamProtocolError => StatusCodes.Status502BadGateway,
        EgressErrorKind.Timeout => StatusCodes.Status504GatewayTimeout,
        EgressErrorKind.DestinationBackoff => StatusCodes.Status503ServiceUnavailable,
        EgressErrorKind.Overloaded => StatusCodes.Status503ServiceUnavailable,
        EgressErrorKind.ShuttingDown => StatusCodes.Status503ServiceUnavailable,
        EgressErrorKind.RequestTooLarge => StatusCodes.Status413PayloadTooLarge,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>Matrix errcode for a failure kind (standard codes where one fits).</summary>
    public static string ErrCode(EgressErrorKind kind) => kind switch
    {
        EgressErrorKind.InvalidServerName => "M_INVALID_PARAM",
        EgressErrorKind.InvalidRequestTarget => "M_INVALID_PARAM",
        EgressErrorKind.ClientUnauthorized => "M_UNAUTHORIZED",
        EgressErrorKind.ClientForbidden => "M_FORBIDDEN",
        EgressErrorKind.DestinationDenied => "M_FORBIDDEN",
        EgressErrorKind.AddressDenied => "M_FORBIDDEN",
        EgressErrorKind.LoopDetected => "M_FORBIDDEN",
        EgressErrorKind.DestinationBackoff => "M_LIMIT_EXCEEDED",
        EgressErrorKind.Overloaded => "M_LIMIT_EXCEEDED",
        EgressErrorKind.RequestTooLarge => "M_TOO_LARGE",
        _ => "M_UNKNOWN",
    };

    /// <summary>Short machine-readable name of the kind, used in metrics (error.type) and the body's "reason".</summary>
    public static string TypeName(EgressErrorKind kind) => kind switch
    {
        EgressErrorKind.InvalidServerName => "invalid_server_name",
        EgressErrorKind.InvalidRequestTarget => "invalid_request_target",
        EgressErrorKind.ClientUnauthorized => "client_unauthorized",
        EgressErrorKind.ClientForbidden => "client_forbidden",
        EgressErrorKind.DestinationDenied => "destination_denied",
        EgressErrorKind.AddressDenied => "address_denied",
        EgressErrorKind.LoopDetected => "loop_detected",
        EgressErrorKind.DnsFailed => "dns_failed",
        EgressErrorKind.NoAddresses => "no_addresses",
        EgressErrorKind.ServiceUnavailable => "service_unavailable",
        EgressErrorKind.ConnectFailed => "connect_failed",
        EgressErrorKind.TlsFailed => "tls_failed",
        EgressErrorKind.UpstreamProtocolError => "upstream_protocol_error",
        EgressErrorKind.Timeout => "timeout",
        EgressErrorKind.DestinationBackoff => "destination_backoff",
        EgressErrorKind.Overloaded => "overloaded",
        EgressErrorKind.ShuttingDown => "shutting_down",
        EgressErrorKind.RequestTooLarge => "request_too_large",
        _ => "unknown",
    };

    /// <summary>
    /// Writes <c>{"errcode": "...", "error": "step: reason", "reason": "kind"}</c> with the mapped
    /// status (plus Retry-After when set), shaped by the front end's <paramref name="profile"/>
    /// (status and errcode overrides, the message key and formatter; path mode when null).
    /// Does nothing once the response has started.
    /// </summary>
    public static async Task WriteAsync(HttpContext context, EgressError error, ForwardingProfile? profile = null)
    {
        profile ??= ForwardingProfile.PathMode;
        var response = context.Response;
        if (response.HasStarted)
        {
            return;
        }

        response.Clear();
        response.StatusCode = profile.FailureStatusOverride ?? StatusCode(error.Kind);
        response.ContentType = "application/json";
        if (RetryAfter(error) is { } retryAfter && profile.FailureStatusOverride is null)
        {
            response.Headers.RetryAfter = retryAfter;
        }

        await using var writer = new Utf8JsonWriter(response.Body, WriterOptions);
        WriteBody(writer, profile.FailureErrCodeOverride ?? ErrCode(error.Kind), profile.ErrorMessageKey, profile.FailureMessageFormatter?.Invoke(context, error) ?? error.ToString(), error.Kind);
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>The Retry-After header value (whole seconds, rounded up) when <paramref name="error"/> carries one; otherwise null.</summary>
    public static string? RetryAfter(EgressError error) =>
        error.RetryAfter is { } retry ? ((long)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>
    /// Writes the path-mode JSON body of <see cref="WriteAsync"/> to <paramref name="destination"/>,
    /// for front ends that answer on the raw connection (CONNECT) instead of an <see cref="HttpContext"/>.
    /// </summary>
    public static void WriteBody(System.Buffers.IBufferWriter<byte> destination, EgressError error)
    {
        using var writer = new Utf8JsonWriter(destination, WriterOptions);
        WriteBody(writer, ErrCode(error.Kind), ForwardingProfile.PathMode.ErrorMessageKey, error.ToString(), error.Kind);
    }

    private static void WriteBody(Utf8JsonWriter writer, string errcode, string messageKey, string message, EgressErrorKind kind)
    {
        writer.WriteStartObject();
        writer.WriteString("errcode", errcode);
        writer.WriteString(messageKey, message);
        writer.WriteString("reason", TypeName(kind));
        writer.WriteEndObject();
    }
}
