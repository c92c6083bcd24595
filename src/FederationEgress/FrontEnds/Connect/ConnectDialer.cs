using System.Net;
using System.Net.Sockets;
using FederationEgress.Dns;
using FederationEgress.Errors;
using FederationEgress.Security;
using FederationEgress.Security.LoopProtection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FederationEgress.FrontEnds.Connect;

/// <summary>
/// Opens the destination socket of a tunnel: resolves the host with the proxy's own DNS resolver
/// (IP literals are used as they are), drops every address the egress policy forbids, and dials
/// the rest in order with a per-attempt timeout, failing over on error.
/// </summary>
internal sealed partial class ConnectDialer
{
    private readonly IDnsResolver _dns;
    private readonly IEgressAddressPolicy _policy;
    private readonly ListenerLoopGuard _loopGuard;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _connectTimeout;

    public ConnectDialer(IDnsResolver dns, IEgressAddressPolicy policy, ListenerLoopGuard loopGuard, IOptions<ConnectFrontEndOptions> options, TimeProvider time, ILogger<ConnectDialer> logger)
    {
        _dns = dns;
        _policy = policy;
        _loopGuard = loopGuard;
        _time = time;
        _logger = logger;
        _connectTimeout = TimeSpan.FromSeconds(options.Value.ConnectTimeoutSeconds);
    }

    /// <summary>Dials <paramref name="request"/>'s destination.</summary>
    public async Task<ConnectDialResult> DialAsync(ConnectRequest request, CancellationToken cancellationToken)
    {
        IReadOnlyList<IPAddress> candidates;
        if (request.Address is { } literal)
        {
            candidates = [literal];
        }
        else
        {
            var resolved = await _dns.ResolveAddressesAsync(request.Host, cancellationToken);
            if (resolved.Status == DnsResultStatus.Success && resolved.Records.Count > 0)
            {
                candidates = resolved.Records;
            }
            else if (resolved.IsNoRecords || resolved.Status == DnsResultStatus.Success)
            {
                return Failed(EgressErrorKind.NoAddresses, "dns", $"{request.Host} has no A/AAAA records ({resolved.Status})");
            }
            else
            {
                return Failed(EgressErrorKind.DnsFailed, "dns", $"looking up {request.Host} failed: {resolved.Error ?? resolved.Status.ToString()}");
            }
        }

        var allowed = new List<IPAddress>(candidates.Count);
        string? firstDenial = null;
        foreach (var candidate in candidates)
        {
            // Mapped forms must not slip past rules written for IPv4.
            var address = candidate.IsIPv4MappedToIPv6 ? candidate.MapToIPv4() : candidate;
            if (_policy.IsAllowed(address, out var reason))
            {
                allowed.Add(address);
            }
            else
            {
                firstDenial ??= $"{address} is denied: {reason}";
                Log.AddressDenied(_logger, request.Host, address, reason);
            }
        }

        if (allowed.Count == 0)
        {
            return Failed(EgressErrorKind.AddressDenied, "address-policy", firstDenial ?? $"{request.Host} has no permitted address");
        }

        EgressError? last = null;
        EgressError? dialFailure = null;
        foreach (var address in allowed)
        {
            var endPoint = new IPEndPoint(address, request.Port);

            // A tunnel into one of the proxy's own listeners would let a client reach the
            // management endpoints or loop requests through the proxy (AllowRanges may permit loopback).
            if (_loopGuard.IsOwnListener(endPoint, out _))
            {
                last = new EgressError(EgressErrorKind.LoopDetected, "address-policy", $"{endPoint} is one of this proxy's own listeners");
                Log.DialFailed(_logger, request.Host, endPoint, last.Message);
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var timeout = new CancellationTokenSource(_connectTimeout, _time);
            using var link = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), timeout);
            try
            {
                await socket.ConnectAsync(endPoint, timeout.Token);
                return new ConnectDialResult(socket, endPoint, null);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                last = new EgressError(EgressErrorKind.Timeout, "connect", $"connecting to {endPoint} timed out after {_connectTimeout.TotalSeconds:0.#} s");
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = new EgressError(EgressErrorKind.ConnectFailed, "connect", $"connecting to {endPoint} failed: {ex.SocketErrorCode}");
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            dialFailure = last;
            Log.DialFailed(_logger, request.Host, endPoint, last.Message);
        }

        return new ConnectDialResult(null, null, last, dialFailure);
    }

    private static ConnectDialResult Failed(EgressErrorKind kind, string step, string message) =>
        new(null, null, new EgressError(kind, step, message));

    private static partial class Log
    {
        [LoggerMessage(6060, LogLevel.Warning, "CONNECT to {Host}: address {Address} refused by the egress policy: {Reason}")]
        public static partial void AddressDenied(ILogger logger, string host, IPAddress address, string reason);

        [LoggerMessage(6061, LogLevel.Debug, "CONNECT to {Host}: dialling {EndPoint} failed: {Reason}")]
        public static partial void DialFailed(ILogger logger, string host, IPEndPoint endPoint, string reason);
    }
}
