using System.Diagnostics;
using System.Net;
using FederationEgress.Discovery;
using FederationEgress.Errors;
using FederationEgress.Forwarding.Upstream;
using FederationEgress.Resilience;
using FederationEgress.Hosting;
using FederationEgress.Security.Destinations;
using FederationEgress.ServerNames;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace FederationEgress.Forwarding;

/// <summary>
/// Resolves, then forwards with YARP's <see cref="IHttpForwarder"/>. Connection-establishment
/// failures (refused, unreachable, connect timeout, TLS handshake or certificate failure) happen
/// before any request byte is written and before YARP touches the request body, so the request is
/// sent again starting at the next endpoint; anything later is never replayed (a
/// <c>PUT /send/{txnId}</c> is retried by the homeserver, not by the proxy).
/// </summary>
internal sealed partial class EgressForwarder : IEgressForwarder
{
    /// <summary>YARP wants a prefix; the transformer sets the full RequestUri, so this is never used to build one.</summary>
    private const string DestinationPrefix = "https://destination.invalid";

    private static readonly UriCreationOptions VerbatimUri = new() { DangerousDisablePathAndQueryCanonicalization = true };

    private readonly IServerResolver _resolver;
    private readonly IDestinationPolicy _destinations;
    private readonly IDestinationBackoff _backoff;
    private readonly DestinationConcurrencyLimit _destinationLimit;
    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _invoker;
    private readonly EgressHttpTransformer _transformer;
    private readonly ForwarderRequestConfig _requestConfig;
    private readonly TimeSpan _responseHeadersTimeout;
    private readonly RecentConnections _recent;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<EgressForwarder> _logger;

    public EgressForwarder(
        IServerResolver resolver,
        IDestinationPolicy destinations,
        IDestinationBackoff backoff,
        DestinationConcurrencyLimit destinationLimit,
        IHttpForwarder forwarder,
        IUpstreamHandlerFactory handlers,
        EgressHttpTransformer transformer,
        RecentConnections recent,
        IOptions<ForwardingOptions> options,
        TimeProvider timeProvider,
        ILogger<EgressForwarder> logger)
    {
        _recent = recent;
        _resolver = resolver;
        _destinations = destinations;
        _backoff = backoff;
        _destinationLimit = destinationLimit;
        _forwarder = forwarder;
        _invoker = handlers.GetInvoker(UpstreamHandlerKind.Federation);
        _transformer = transformer;
        _timeProvider = timeProvider;
        _logger = logger;
        var o = options.Value;
        _responseHeadersTimeout = TimeSpan.FromSeconds(o.ResponseHeadersTimeoutSeconds);
        _requestConfig = new ForwarderRequestConfig
        {
            ActivityTimeout = TimeSpan.FromSeconds(o.IdleBodyTimeoutSeconds),

            // HTTP/2 when the remote offers it via ALPN, HTTP/1.1 otherwise.
            Version = o.EnableHttp2 ? HttpVersion.Version20 : HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            AllowResponseBuffering = false,
        };
    }

    public async Task ForwardAsync(HttpContext context, ServerName serverName, string pathAndQuery)
    {
        // One slow or hostile destination must not take every slot of the overall limit.
        if (!_destinationLimit.TryAcquire(serverName.Value))
        {
            await WriteErrorAsync(context, new EgressError(EgressErrorKind.Overloaded, "admission", $"more than {_destinationLimit.Max} requests in flight to {serverName}"), serverName.Value);
            return;
        }

        try
        {
            await ForwardAdmittedAsync(context, serverName, pathAndQuery);
        }
        finally
        {
            _destinationLimit.Release(serverName.Value);
        }
    }

    private async Task ForwardAdmittedAsync(HttpContext context, ServerName serverName, string pathAndQuery)
    {
        // A declared body over the limit would fail mid-forward, after the remote got the headers.
        if (context.Request.ContentLength is { } length
            && context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } limit
            && length > limit)
        {
            await WriteErrorAsync(context, new EgressError(EgressErrorKind.RequestTooLarge, "request body", $"Content-Length {length} exceeds the limit of {limit} bytes"), serverName.Value);
            return;
        }

        // The operator's allow/deny lists apply to the name as requested, before any network I/O.
        if (!_destinations.IsAllowed(serverName, out var denial))
        {
            await WriteErrorAsync(context, new EgressError(EgressErrorKind.DestinationDenied, "destination policy", denial), serverName.Value);
            return;
        }

        // A destination that keeps refusing connections fails fast instead of being dialled again.
        if (!_backoff.TryAdmit(serverName.Value, out var admission, out var backedOff))
        {
            await WriteErrorAsync(context, backedOff, serverName.Value);
            return;
        }

        Resolution resolution;
        try
        {
            var pending = _resolver.ResolveAsync(serverName, context.RequestAborted);
            resolution = pending.IsCompletedSuccessfully ? pending.Result : await pending;
        }
        catch (EgressException ex)
        {
            await WriteErrorAsync(context, ex.Error, serverName.Value);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        if (resolution.Endpoints.Count == 0)
        {
            await WriteErrorAsync(context, new EgressError(EgressErrorKind.NoAddresses, "discovery", $"discovery found no address for {serverName}"), serverName.Value);
            return;
        }

        if (pathAndQuery.Length == 0 || pathAndQuery[0] != '/'
            || !Uri.TryCreate(string.Concat("https://", serverName.Value, pathAndQuery), in VerbatimUri, out var uri))
        {
            await WriteErrorAsync(context, new EgressError(EgressErrorKind.InvalidRequestTarget, "request target", "the path cannot be forwarded as a URI"), serverName.Value);
            return;
        }

        var profile = context.Features.Get<IForwardingProfileFeature>()?.Profile ?? ForwardingProfile.PathMode;
        var attempt = new UpstreamAttempt(resolution);
        using var headersTimeout = new CancellationTokenSource(_responseHeadersTimeout, _timeProvider);
        context.Features.Set(new ForwardingRequestState(resolution, uri, attempt, profile, headersTimeout, _backoff, admission));
        try
        {
            await ForwardWithFailoverAsync(context, resolution, attempt, headersTimeout, admission);
        }
        finally
        {
            context.Features.Set<ForwardingRequestState>(null);
            if (context.Features.Get<ForwardingOutcome>() is { } outcome)
            {
                // A request answered over a pooled HTTP/2 connection saw no connect and no write in
                // its own flow: name the destination's latest connection (RecentConnections).
                outcome.Endpoint = attempt.ConnectedEndPoint ?? (attempt.Answered ? _recent.Latest(resolution.ServerName.Value) : null);
            }
        }
    }

    public Task WriteErrorAsync(HttpContext context, EgressError error, string? serverName)
    {
        if (context.Features.Get<ForwardingOutcome>() is { } outcome)
        {
            outcome.Error = error;
        }

        var traceId = Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier;
        Log.ForwardFailed(_logger, context.Request.Method, serverName ?? "-", error.Step, EgressErrorMapper.TypeName(error.Kind), error.Message, traceId);
        var profile = context.Features.Get<IForwardingProfileFeature>()?.Profile ?? ForwardingProfile.PathMode;
        return EgressErrorMapper.WriteAsync(context, error, profile);
    }

    private async Task ForwardWithFailoverAsync(HttpContext context, Resolution resolution, UpstreamAttempt attempt, CancellationTokenSource headersTimeout, BackoffAdmission admission)
    {
        var name = resolution.ServerName.Value;

        // Each try either connects to a later endpoint or gives up; one extra try covers a
        // connection failure that SocketsHttpHandler reported for a connection another request opened.
        var maxTries = resolution.Endpoints.Count + 1;
        UpstreamAttempt.Current = attempt;
        for (var tryNumber = 1; ; tryNumber++)
        {
            var failuresBefore = attempt.FailureCount;
            var result = await _forwarder.SendAsync(context, DestinationPrefix, _invoker, _requestConfig, _transformer, headersTimeout.Token);
            if (result == ForwarderError.None)
            {
                // The back-off was reset when the response headers arrived (ForwardingRequestState.ResponseArrived).
                return;
            }

            if (context.RequestAborted.IsCancellationRequested)
            {
                Log.ClientAborted(_logger, name, result);
                return;
            }

            var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
            if (result is ForwarderError.RequestBodyClient or ForwarderError.RequestBodyDestination or ForwarderError.RequestBodyCanceled
                && context.Features.Get<ForwardingRequestState>()?.ResponseForwarded == true)
            {
                // The answer reached the client whole, then YARP reported the unfinished upload: the
                // destination answered before reading all of the body (HTTP/2 allows it, ending the
                // upload with RST_STREAM). Nothing broke for the client.
                Log.AnsweredBeforeBody(_logger, name, result);
                return;
            }

            if (context.Response.HasStarted)
            {
                // The destination answered (its back-off was reset with the headers); the body broke later.
                // YARP already aborted the response so the client cannot mistake it for a complete one.
                Log.ResponseAborted(_logger, name, result, exception?.Message ?? result.ToString());
                return;
            }

            var establishment = result == ForwarderError.Request && IsConnectionEstablishmentFailure(exception);
            if (establishment && attempt.FailureCount == failuresBefore)
            {
                // Not seen by the connector or the certificate check (e.g. a TLS alert from the
                // remote): blame the endpoint this request last connected to.
                attempt.RecordFailure(Classify(result, exception, attempt));
                if (attempt.ConnectedIndex >= 0 && FindEgressException(exception) is null)
                {
                    attempt.MarkFailed(attempt.ConnectedIndex);
                }
            }

            if (establishment && tryNumber < maxTries && attempt.StartIndex < resolution.Endpoints.Count && !headersTimeout.IsCancellationRequested)
            {
                Log.FailingOver(_logger, name, attempt.StartIndex);
                context.Response.Clear(); // back to 200, or YARP refuses to forward again
                context.Features.Set<IForwarderErrorFeature>(null);
                continue;
            }

            EgressError error;
            if (headersTimeout.IsCancellationRequested)
            {
                error = new EgressError(EgressErrorKind.Timeout, "response headers", $"{name} did not send response headers within {_responseHeadersTimeout.TotalSeconds:0.###} s");
            }
            else
            {
                var egress = FindEgressException(exception);
                error = egress?.Kind is EgressErrorKind.AddressDenied or EgressErrorKind.LoopDetected && attempt.FirstError is null
                    ? egress
                    : establishment ? attempt.FirstError ?? Classify(result, exception, attempt) : Classify(result, exception, attempt);
            }

            if (establishment)
            {
                _backoff.ReportConnectionFailure(admission, error);
            }

            await WriteErrorAsync(context, error, name);
            return;
        }
    }

    private static bool IsConnectionEstablishmentFailure(Exception? exception) =>
        exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError };

    private static EgressError? FindEgressException(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is EgressException egress)
            {
                return egress.Error;
            }
        }

        return null;
    }

    private EgressError Classify(ForwarderError result, Exception? exception, UpstreamAttempt attempt)
    {
        if (FindEgressException(exception) is { } egress)
        {
            return egress;
        }

        var name = attempt.Resolution.ServerName.Value;
        var where = attempt.ConnectedEndPoint is { } ep ? $"{ep} ({name})" : name;
        if (exception is HttpRequestException hre)
        {
            switch (hre.HttpRequestError)
            {
                case HttpRequestError.SecureConnectionError:
                    return new EgressError(EgressErrorKind.TlsFailed, "tls", $"TLS handshake with {where} failed: {Innermost(hre)}");
                case HttpRequestError.ConnectionError:
                    return new EgressError(EgressErrorKind.ConnectFailed, "connect", $"connecting to {where} failed: {Innermost(hre)}");
                case HttpRequestError.ResponseEnded:
                    return new EgressError(EgressErrorKind.UpstreamProtocolError, "response headers", $"{name} closed the connection before sending response headers");
                case HttpRequestError.InvalidResponse:
                case HttpRequestError.HttpProtocolError:
                case HttpRequestError.VersionNegotiationError:
                    return new EgressError(EgressErrorKind.UpstreamProtocolError, "response headers", $"{name} sent an invalid response: {Innermost(hre)}");
            }
        }

        return result switch
        {
            ForwarderError.RequestTimedOut => new EgressError(EgressErrorKind.Timeout, "response headers", $"{name} made no progress for {_requestConfig.ActivityTimeout?.TotalSeconds:0.###} s"),
            ForwarderError.RequestBodyClient when FindStatus(exception) == StatusCodes.Status413PayloadTooLarge =>
                new EgressError(EgressErrorKind.RequestTooLarge, "request body", "the request body exceeds the size limit"),
            ForwarderError.RequestBodyClient when exception is OperationCanceledException || exception?.InnerException is OperationCanceledException =>

                // Still connected (an aborted client returned earlier), so the read was cancelled
                // because the destination's side of the exchange ended, e.g. an HTTP/2 stream reset.
                new EgressError(EgressErrorKind.UpstreamProtocolError, "request body", $"{name} ended the exchange while the request body was being sent"),
            ForwarderError.RequestBodyClient => new EgressError(EgressErrorKind.InvalidRequestTarget, "request body", "reading the request body from the client failed"),
            ForwarderError.RequestBodyDestination => new EgressError(EgressErrorKind.UpstreamProtocolError, "request body", $"sending the request body to {name} failed"),
            ForwarderError.ResponseHeaders => new EgressError(EgressErrorKind.UpstreamProtocolError, "response headers", $"{name} sent response headers that cannot be forwarded"),
            _ => new EgressError(EgressErrorKind.UpstreamProtocolError, "forward", $"forwarding to {name} failed ({result}): {(exception is null ? "no details" : Innermost(exception))}"),
        };
    }

    private static int? FindStatus(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is BadHttpRequestException bad)
            {
                return bad.StatusCode;
            }

            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (FindStatus(inner) is { } status)
                    {
                        return status;
                    }
                }
            }
        }

        return null;
    }

    private static string Innermost(Exception exception)
    {
        var e = exception;
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message;
    }

    private static partial class Log
    {
        [LoggerMessage(4000, LogLevel.Warning, "{Method} to {ServerName} failed at step '{Step}' ({Reason}): {Message} [trace {TraceId}]")]
        public static partial void ForwardFailed(ILogger logger, string method, string serverName, string step, string reason, string message, string traceId);

        [LoggerMessage(4001, LogLevel.Debug, "Connection to an endpoint of {ServerName} could not be established; retrying from endpoint #{StartIndex}")]
        public static partial void FailingOver(ILogger logger, string serverName, int startIndex);

        [LoggerMessage(4002, LogLevel.Debug, "Client went away while forwarding to {ServerName} ({Error})")]
        public static partial void ClientAborted(ILogger logger, string serverName, ForwarderError error);

        [LoggerMessage(4004, LogLevel.Debug, "{ServerName} answered before reading the whole request body ({Error}); the answer was forwarded complete")]
        public static partial void AnsweredBeforeBody(ILogger logger, string serverName, ForwarderError error);

        [LoggerMessage(4003, LogLevel.Warning, "Response from {ServerName} broke off after it started ({Error}): {Message}; the client connection was aborted")]
        public static partial void ResponseAborted(ILogger logger, string serverName, ForwarderError error, string message);
    }
}
