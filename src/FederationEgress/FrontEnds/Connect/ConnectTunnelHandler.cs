using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FederationEgress.Diagnostics;
using FederationEgress.Errors;
using FederationEgress.Resilience;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FederationEgress.FrontEnds.Connect;

/// <summary>
/// Raw Kestrel connection handler for the CONNECT listener. Parses the CONNECT head itself (Kestrel's
/// HTTP layer insists on Host for HTTP/1.1 and does not tunnel HTTP/1.0 CONNECT), applies auth, the
/// port allow-list, the destination check, the per-destination back-off (shared with the forwarder,
/// keyed by the normalized <c>host:port</c>) and the egress address policy, answers
/// <c>HTTP/1.1 200 Connection established</c>, and relays bytes both ways with half-close.
/// </summary>
internal sealed partial class ConnectTunnelHandler : ConnectionHandler
{
    private const int RelayBufferSize = 16 * 1024;

    /// <summary>The CONNECT head must arrive within this (or the idle timeout, if shorter): no slow-loris heads.</summary>
    private static readonly TimeSpan HeadReadTimeout = TimeSpan.FromSeconds(30);

    private static readonly byte[] Established = "HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray();

    private readonly ConnectProxyAuthenticator _authenticator;
    private readonly ConnectDestinationCheck _destinationCheck;
    private readonly ConnectDialer _dialer;
    private readonly IDestinationBackoff _backoff;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HashSet<int> _allowedPorts;
    private readonly TimeSpan _idleTimeout;

    public ConnectTunnelHandler(
        IOptions<ConnectFrontEndOptions> options,
        ConnectProxyAuthenticator authenticator,
        ConnectDestinationCheck destinationCheck,
        ConnectDialer dialer,
        IDestinationBackoff backoff,
        TimeProvider time,
        ILogger<ConnectTunnelHandler> logger)
    {
        _authenticator = authenticator;
        _destinationCheck = destinationCheck;
        _dialer = dialer;
        _backoff = backoff;
        _time = time;
        _logger = logger;
        _allowedPorts = [.. options.Value.EffectiveAllowedPorts];
        _idleTimeout = TimeSpan.FromSeconds(options.Value.IdleTimeoutSeconds);
    }

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        using var activity = EgressTelemetry.ActivitySource.StartActivity(ConnectTelemetry.ActivityName, ActivityKind.Server);
        activity?.SetTag("client.address", (connection.RemoteEndPoint as IPEndPoint)?.Address.ToString());
        using var idle = new CancellationTokenSource(_idleTimeout < HeadReadTimeout ? _idleTimeout : HeadReadTimeout, _time);
        string outcome;
        try
        {
            outcome = await HandleAsync(connection.ConnectionId, input, output, idle, activity);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException or ObjectDisposedException)
        {
            outcome = "client_closed";
            Log.ClientGone(_logger, connection.ConnectionId, ex.Message);
        }
        finally
        {
            await input.CompleteAsync();
            await output.CompleteAsync();
        }

        EgressMetrics.Default.TunnelCompleted(outcome);
        if (outcome != ConnectTelemetry.OutcomeCompleted)
        {
            activity?.SetTag("error.type", outcome);
            activity?.SetStatus(ActivityStatusCode.Error);
        }
    }

    private async Task<string> HandleAsync(string connectionId, PipeReader input, PipeWriter output, CancellationTokenSource idle, Activity? activity)
    {
        ConnectRequest? request;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(idle.Token);
            }
            catch (OperationCanceledException) when (idle.IsCancellationRequested)
            {
                return EgressErrorMapper.TypeName(EgressErrorKind.Timeout);
            }

            var status = ConnectRequestParser.TryParse(result.Buffer, out request, out var headEnd, out var parseError);
            if (status == ConnectParseStatus.Complete)
            {
                input.AdvanceTo(headEnd);
                break;
            }

            if (status == ConnectParseStatus.Invalid)
            {
                input.AdvanceTo(result.Buffer.End);
                return await RefuseAsync(connectionId, output, 400, "Bad Request", new EgressError(EgressErrorKind.InvalidRequestTarget, "request", parseError));
            }

            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
            {
                return "client_closed";
            }
        }

        // From here the idle timeout bounds DNS, dialling and the tunnel itself.
        idle.CancelAfter(_idleTimeout);
        if (request!.Method != "CONNECT")
        {
            return await RefuseAsync(connectionId, output, 405, "Method Not Allowed", new EgressError(EgressErrorKind.InvalidRequestTarget, "request", $"only CONNECT is served on this listener, not {request.Method}"));
        }

        activity?.SetTag("server.address", request.Host);
        activity?.SetTag("server.port", request.Port);

        if (!_authenticator.IsAuthorized(request.ProxyAuthorization))
        {
            return await RefuseAsync(connectionId, output, 407, "Proxy Authentication Required", new EgressError(EgressErrorKind.ClientUnauthorized, "auth", "missing or invalid Proxy-Authorization"), proxyAuthenticate: true);
        }

        if (!_allowedPorts.Contains(request.Port))
        {
            return await RefuseAsync(connectionId, output, 403, "Forbidden", new EgressError(EgressErrorKind.DestinationDenied, "port", $"port {request.Port} is not allowed (allowed: {string.Join(", ", _allowedPorts.Order())})"));
        }

        if (_destinationCheck.Deny(request.Host) is { } denial)
        {
            return await RefuseAsync(connectionId, output, 403, "Forbidden", new EgressError(EgressErrorKind.DestinationDenied, "destination", denial));
        }

        // A target that keeps refusing connections fails fast, before DNS or any dial. Policy
        // refusals above never reach the back-off, so they cannot trip it.
        if (!_backoff.TryAdmit(request.Authority, out var admission, out var backedOff))
        {
            return await RefuseAsync(connectionId, output, backedOff);
        }

        var dial = await _dialer.DialAsync(request, idle.Token);
        if (dial.Error is { } dialError)
        {
            if (dial.ConnectionFailure is { } connectionFailure)
            {
                _backoff.ReportConnectionFailure(admission, connectionFailure);
            }

            return await RefuseAsync(connectionId, output, dialError);
        }

        // For a tunnel the TCP connect is the destination's answer (the client speaks TLS itself).
        _backoff.ReportResponse(admission);

        using var upstream = dial.Socket!;
        var peer = dial.RemoteEndPoint!;
        activity?.SetTag("network.peer.address", peer.Address.ToString());
        activity?.SetTag("network.peer.port", peer.Port);
        await output.WriteAsync(Established, idle.Token);
        idle.CancelAfter(_idleTimeout);
        Log.Established(_logger, connectionId, request.Host, request.Port, peer);

        var started = _time.GetTimestamp();
        var (sent, received) = await RelayAsync(input, output, upstream, idle);
        var duration = _time.GetElapsedTime(started);

        EgressMetrics.Default.TunnelClosed(sent, received, duration);
        activity?.SetTag("egress.tunnel.bytes_upstream", sent);
        activity?.SetTag("egress.tunnel.bytes_downstream", received);
        Log.Closed(_logger, connectionId, request.Host, request.Port, sent, received, duration.TotalSeconds);
        return ConnectTelemetry.OutcomeCompleted;
    }

    /// <summary>
    /// Relays until the destination closes (then the client is closed too) or the client closes and
    /// the destination, told with a half-close, finishes. Idle tunnels are cut by <paramref name="idle"/>.
    /// </summary>
    private async Task<(long Sent, long Received)> RelayAsync(PipeReader input, PipeWriter output, Socket upstream, CancellationTokenSource idle)
    {
        var toUpstream = ClientToUpstreamAsync(input, upstream, idle);
        var toClient = UpstreamToClientAsync(output, upstream, idle);
        var first = await Task.WhenAny(toUpstream, toClient);
        if (first == toClient || !toUpstream.Result.CleanEnd)
        {
            // Destination gone (nothing more can reach the client) or client failed: tear down both.
            idle.Cancel();
            input.CancelPendingRead();
        }

        var sent = await toUpstream;
        var received = await toClient;
        return (sent.Bytes, received);
    }

    private async Task<(long Bytes, bool CleanEnd)> ClientToUpstreamAsync(PipeReader input, Socket upstream, CancellationTokenSource idle)
    {
        long total = 0;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(idle.Token);
                foreach (var segment in result.Buffer)
                {
                    await upstream.SendAsync(segment, SocketFlags.None, idle.Token);
                }

                total += result.Buffer.Length;
                if (!result.Buffer.IsEmpty)
                {
                    idle.CancelAfter(_idleTimeout);
                }

                input.AdvanceTo(result.Buffer.End);
                if (result.IsCanceled)
                {
                    return (total, false);
                }

                if (result.IsCompleted)
                {
                    // Client half-closed: pass the FIN on and let the destination finish its answer.
                    upstream.Shutdown(SocketShutdown.Send);
                    return (total, true);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException or ObjectDisposedException)
        {
            return (total, false);
        }
    }

    private async Task<long> UpstreamToClientAsync(PipeWriter output, Socket upstream, CancellationTokenSource idle)
    {
        long total = 0;
        try
        {
            while (true)
            {
                var memory = output.GetMemory(RelayBufferSize);
                var read = await upstream.ReceiveAsync(memory, SocketFlags.None, idle.Token);
                if (read == 0)
                {
                    return total;
                }

                output.Advance(read);
                total += read;
                idle.CancelAfter(_idleTimeout);
                var flush = await output.FlushAsync(idle.Token);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    return total;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException or ObjectDisposedException)
        {
            return total;
        }
    }

    /// <summary>Refuses with the status the error mapper gives <paramref name="error"/>'s kind.</summary>
    private Task<string> RefuseAsync(string connectionId, PipeWriter output, EgressError error)
    {
        var status = EgressErrorMapper.StatusCode(error.Kind);
        return RefuseAsync(connectionId, output, status, ReasonPhrase(status), error);
    }

    private async Task<string> RefuseAsync(string connectionId, PipeWriter output, int status, string reasonPhrase, EgressError error, bool proxyAuthenticate = false)
    {
        Log.Refused(_logger, connectionId, status, error.ToString());
        var body = new ArrayBufferWriter<byte>();
        EgressErrorMapper.WriteBody(body, error);
        var retryAfter = EgressErrorMapper.RetryAfter(error);

        var head = new StringBuilder()
            .Append("HTTP/1.1 ").Append(status).Append(' ').Append(reasonPhrase).Append("\r\n")
            .Append("Content-Type: application/json\r\n")
            .Append("Content-Length: ").Append(body.WrittenCount).Append("\r\n")
            .Append(retryAfter is null ? string.Empty : $"Retry-After: {retryAfter}\r\n")
            .Append(proxyAuthenticate ? "Proxy-Authenticate: Basic realm=\"FederationEgress\"\r\n" : string.Empty)
            .Append("Connection: close\r\n\r\n")
            .ToString();
        output.Write(Encoding.ASCII.GetBytes(head));
        output.Write(body.WrittenSpan);
        await output.FlushAsync();
        return status == 407 ? "unauthorized" : EgressErrorMapper.TypeName(error.Kind);
    }

    private static string ReasonPhrase(int status) => status switch
    {
        403 => "Forbidden",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    };

    private static partial class Log
    {
        [LoggerMessage(6050, LogLevel.Information, "CONNECT {ConnectionId}: tunnel to {Host}:{Port} established via {EndPoint}")]
        public static partial void Established(ILogger logger, string connectionId, string host, int port, IPEndPoint endPoint);

        [LoggerMessage(6051, LogLevel.Information, "CONNECT {ConnectionId}: tunnel to {Host}:{Port} closed; {Sent} bytes up, {Received} bytes down, {DurationSeconds:0.###} s")]
        public static partial void Closed(ILogger logger, string connectionId, string host, int port, long sent, long received, double durationSeconds);

        [LoggerMessage(6052, LogLevel.Warning, "CONNECT {ConnectionId}: refused with {Status}: {Reason}")]
        public static partial void Refused(ILogger logger, string connectionId, int status, string reason);

        [LoggerMessage(6053, LogLevel.Debug, "CONNECT {ConnectionId}: client connection ended: {Reason}")]
        public static partial void ClientGone(ILogger logger, string connectionId, string reason);
    }
}
