using System.Net;
using System.Net.Sockets;
using FederationEgress.Discovery;
using FederationEgress.Dns;
using FederationEgress.Errors;
using FederationEgress.Security;
using FederationEgress.Security.LoopProtection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FederationEgress.Forwarding.Upstream;

/// <summary>
/// SocketsHttpHandler's ConnectCallback: dials the request's resolved endpoints in order (or the
/// DNS addresses of the URI host when the request carries no resolution), checks the egress
/// address policy on each IP right before dialling, and fails over on refused, unreachable and
/// timed-out connects. Denied addresses are skipped; when every address is denied nothing is sent.
/// </summary>
internal sealed partial class UpstreamConnector
{
    private readonly IEgressAddressPolicy _policy;
    private readonly IDnsResolver _dns;
    private readonly IUpstreamSocketDialer _dialer;
    private readonly ListenerLoopGuard _loopGuard;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<UpstreamConnector> _logger;
    private readonly TimeSpan _connectTimeout;
    private readonly TimeSpan _handshakeTimeout;
    private readonly RecentConnections _recent;

    public UpstreamConnector(
        IEgressAddressPolicy policy,
        IDnsResolver dns,
        IUpstreamSocketDialer dialer,
        ListenerLoopGuard loopGuard,
        RecentConnections recent,
        IOptions<ForwardingOptions> options,
        TimeProvider timeProvider,
        ILogger<UpstreamConnector> logger)
    {
        _recent = recent;
        _policy = policy;
        _dns = dns;
        _dialer = dialer;
        _loopGuard = loopGuard;
        _timeProvider = timeProvider;
        _logger = logger;
        _connectTimeout = TimeSpan.FromSeconds(options.Value.ConnectTimeoutSeconds);
        _handshakeTimeout = SslInnerStream.IsAvailable ? TimeSpan.FromSeconds(options.Value.TlsHandshakeTimeoutSeconds) : Timeout.InfiniteTimeSpan;
        if (!SslInnerStream.IsAvailable)
        {
            Log.HandshakeTimeoutUnavailable(logger);
        }
    }

    /// <summary>The ConnectCallback.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var request = context.InitialRequestMessage;
        request.Options.TryGetValue(UpstreamAttempt.Key, out var attempt);
        IReadOnlyList<ResolvedEndpoint>? resolved = attempt?.Resolution.Endpoints;
        if (resolved is null && request.Options.TryGetValue(UpstreamRequestOptions.Resolution, out var resolution))
        {
            resolved = resolution.Endpoints;
        }

        var name = attempt?.Resolution.ServerName.Value ?? context.DnsEndPoint.Host;
        IReadOnlyList<IPEndPoint> endpoints = resolved is not null
            ? new EndPointList(resolved)
            : await ResolveHostAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);

        var start = attempt?.StartIndex ?? 0;
        EgressError? firstError = null;
        string? firstDenial = null;
        string? firstLoop = null;
        for (var i = start; i < endpoints.Count; i++)
        {
            var endpoint = endpoints[i];
            if (!_policy.IsAllowed(endpoint.Address, out var reason))
            {
                Log.AddressDenied(_logger, name, endpoint, reason);
                firstDenial ??= $"{endpoint.Address}: {reason}";
                attempt?.MarkFailed(i);
                continue;
            }

            // Even where the policy allows loopback or the pod network, never dial our own listeners.
            if (_loopGuard.IsOwnListener(endpoint, out var listener))
            {
                Log.LoopRefused(_logger, name, endpoint, listener);
                firstLoop ??= $"{endpoint.Address} is this proxy's own listener";
                attempt?.MarkFailed(i);
                continue;
            }

            Socket socket;
            using var timeout = new CancellationTokenSource(_connectTimeout, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                socket = await _dialer.ConnectAsync(endpoint, linked.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var where = Where(endpoint, name);
                var error = ex is SocketException se
                    ? new EgressError(EgressErrorKind.ConnectFailed, "connect", $"connecting to {where} failed: {Describe(se.SocketErrorCode)}")
                    : new EgressError(EgressErrorKind.Timeout, "connect", $"connecting to {where} timed out after {_connectTimeout.TotalSeconds:0.###} s");
                Log.EndpointFailed(_logger, name, endpoint, error.Message);
                firstError ??= error;
                attempt?.RecordFailure(error);
                attempt?.MarkFailed(i);
                continue;
            }

            if (attempt is not null)
            {
                attempt.ConnectedEndPoint = endpoint;
                attempt.ConnectedIndex = i;
                _recent.Record(attempt.Resolution.ServerName.Value, endpoint);
            }

            // A TLS failure on this connection marks endpoint i failed, so the forwarder's retry starts after it.
            return new UpstreamConnectionStream(socket, endpoint, attempt, i, _handshakeTimeout, _timeProvider);
        }

        if (firstError is null && firstLoop is not null)
        {
            // Not the listener address itself: clients must not learn the proxy's internal endpoints.
            throw new EgressException(EgressErrorKind.LoopDetected, "loop protection", $"{name} resolves to this proxy itself; refusing to forward to it");
        }

        if (firstError is null && firstDenial is not null)
        {
            throw new EgressException(EgressErrorKind.AddressDenied, "address policy", $"every address of {name} is denied ({firstDenial})");
        }

        throw new EgressException(firstError ?? new EgressError(EgressErrorKind.NoAddresses, "connect", $"no endpoint left to try for {name}"));
    }

    private async ValueTask<IReadOnlyList<IPEndPoint>> ResolveHostAsync(DnsEndPoint target, CancellationToken cancellationToken)
    {
        var host = target.Host.Trim('[', ']');
        if (IPAddress.TryParse(host, out var literal))
        {
            return [new IPEndPoint(literal, target.Port)];
        }

        var result = await _dns.ResolveAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        if (result.Status == DnsResultStatus.Success && result.Records.Count > 0)
        {
            var list = new IPEndPoint[result.Records.Count];
            for (var i = 0; i < list.Length; i++)
            {
                list[i] = new IPEndPoint(result.Records[i], target.Port);
            }

            return list;
        }

        throw result.IsFailure
            ? new EgressException(EgressErrorKind.DnsFailed, "dns", $"looking up AAAA/A of {host} failed: {result.Error ?? result.Status.ToString()}")
            : new EgressException(EgressErrorKind.NoAddresses, "dns", $"{host} has no AAAA/A records");
    }

    /// <summary>"ip:port (name)", or just "ip:port" when the server name is that IP literal.</summary>
    private static string Where(IPEndPoint endpoint, string name)
    {
        var text = endpoint.ToString();
        return text == name ? text : $"{text} ({name})";
    }

    private static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.TimedOut => "timed out",
        SocketError.ConnectionReset => "connection reset",
        _ => error.ToString(),
    };

    /// <summary>Views resolved endpoints as IP endpoints without copying.</summary>
    private sealed class EndPointList(IReadOnlyList<ResolvedEndpoint> endpoints) : IReadOnlyList<IPEndPoint>
    {
        public IPEndPoint this[int index] => endpoints[index].EndPoint;

        public int Count => endpoints.Count;

        public IEnumerator<IPEndPoint> GetEnumerator() => endpoints.Select(e => e.EndPoint).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static partial class Log
    {
        [LoggerMessage(4010, LogLevel.Information, "Not dialling {Address} for {ServerName}: {Reason}")]
        public static partial void AddressDenied(ILogger logger, string serverName, IPEndPoint address, string reason);

        [LoggerMessage(4013, LogLevel.Warning, "Not dialling {Address} for {ServerName}: it is this proxy's own listener {Listener} (request loop)")]
        public static partial void LoopRefused(ILogger logger, string serverName, IPEndPoint address, IPEndPoint listener);

        [LoggerMessage(4012, LogLevel.Warning, "This runtime does not expose the stream under SslStream: Forwarding:TlsHandshakeTimeoutSeconds is not enforced")]
        public static partial void HandshakeTimeoutUnavailable(ILogger logger);

        [LoggerMessage(4011, LogLevel.Debug, "Endpoint {EndPoint} of {ServerName} failed, trying the next one: {Reason}")]
        public static partial void EndpointFailed(ILogger logger, string serverName, IPEndPoint endPoint, string reason);
    }
}
