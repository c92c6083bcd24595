using Microsoft.Extensions.Logging;

namespace FederationEgress.Diagnostics;

/// <summary>
/// The access log: one Information line per forwarded request, under its own category so operators
/// can route or silence it (<c>Logging:LogLevel:FederationEgress.AccessLog</c>). Written by the
/// forwarding endpoint when a request ends, inside the request's span so the line carries its trace id.
/// </summary>
public static partial class RequestLog
{
    /// <summary>Logger category of the access log.</summary>
    public const string CategoryName = "FederationEgress.AccessLog";

    /// <summary>Event id of <see cref="Forwarded"/>.</summary>
    public const int ForwardedEventId = 7010;

    /// <summary>Written for a missing endpoint or error type, as access logs traditionally do.</summary>
    public const string None = "-";

    /// <summary>
    /// Logs one forwarded request. <paramref name="statusCode"/> is the status returned to the
    /// homeserver (the destination's, or the proxy's error status); <paramref name="endpoint"/> is the
    /// "ip:port" that answered (null when none was reached); <paramref name="errorType"/> is
    /// <see cref="Errors.EgressErrorMapper.TypeName"/> of the failure, null on success. Both are
    /// written as <see cref="None"/> when null.
    /// </summary>
    public static void Forwarded(
        ILogger logger, string method, string serverName, int statusCode, double durationMs, string? endpoint, string? errorType)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (logger.IsEnabled(LogLevel.Information))
        {
            Write(logger, method, serverName, statusCode, durationMs, endpoint ?? None, errorType ?? None);
        }
    }

    [LoggerMessage(EventId = ForwardedEventId, EventName = "RequestForwarded", Level = LogLevel.Information,
        Message = "{Method} {ServerName} {StatusCode} in {DurationMs:0.0} ms via {Endpoint} error {ErrorType}", SkipEnabledCheck = true)]
    private static partial void Write(
        ILogger logger, string method, string serverName, int statusCode, double durationMs, string endpoint, string errorType);
}
