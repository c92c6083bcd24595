using System.Diagnostics;
using FederationEgress.Diagnostics;
using FederationEgress.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Forwarding;

/// <summary>
/// The native front end: <c>{METHOD} /{serverName}/{path-and-query}</c> is forwarded to
/// <c>{serverName}</c> as <c>{METHOD} /{path-and-query}</c>. The target is taken raw from the
/// request line so nothing is decoded or re-encoded on the way.
/// </summary>
internal sealed class PathModeEndpoint
{
    private readonly IEgressForwarder _forwarder;
    private readonly EgressMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _accessLog;

    public PathModeEndpoint(IEgressForwarder forwarder, EgressMetrics metrics, TimeProvider timeProvider, ILoggerFactory loggers)
    {
        _forwarder = forwarder;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _accessLog = loggers.CreateLogger(RequestLog.CategoryName);
    }

    /// <summary>
    /// The terminal request delegate of the forwarding listeners (path mode, and the Synapse front
    /// end after it rewrote the request line). Every request ends with one access-log line and one
    /// measurement, whatever its outcome.
    /// </summary>
    public async Task HandleAsync(HttpContext context)
    {
        var frontEnd = (context.Features.Get<IForwardingProfileFeature>()?.Profile ?? ForwardingProfile.PathMode).Name;
        var started = _timeProvider.GetTimestamp();
        var outcome = new ForwardingOutcome();
        context.Features.Set(outcome);
        _metrics.RequestStarted(frontEnd);
        try
        {
            var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? string.Empty;
            if (!RequestTargetParser.TryParse(rawTarget, out var target, out var error))
            {
                await _forwarder.WriteErrorAsync(context, error, serverName: null);
                return;
            }

            outcome.ServerName = target.ServerName.Value;
            Activity.Current.SetServerName(target.ServerName);
            await _forwarder.ForwardAsync(context, target.ServerName, target.PathAndQuery);
        }
        finally
        {
            _metrics.RequestEnded(frontEnd);
            var elapsed = _timeProvider.GetElapsedTime(started);
            var status = context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 499 : context.Response.StatusCode;
            _metrics.UpstreamRequestCompleted(context.Request.Method, outcome.Error is null ? status : null, outcome.Error?.Kind, frontEnd, elapsed);
            RequestLog.Forwarded(
                _accessLog,
                context.Request.Method,
                outcome.ServerName ?? "-",
                status,
                elapsed.TotalMilliseconds,
                outcome.Endpoint?.ToString(),
                outcome.Error is { } failure ? EgressErrorMapper.TypeName(failure.Kind) : null);
        }
    }

    /// <summary>Writes <paramref name="error"/> for requests the endpoint never parsed (e.g. overload).</summary>
    public Task RejectAsync(HttpContext context, EgressError error) => _forwarder.WriteErrorAsync(context, error, serverName: null);
}
