using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using FederationEgress.Errors;
using FederationEgress.Forwarding;
using FederationEgress.Testing.Tls;

namespace FederationEgress.Testing.Fakes;

/// <summary>
/// A test <see cref="IUpstreamHandlerFactory"/>: real sockets and real TLS, but host names are mapped
/// to loopback endpoints (usually <see cref="TlsTestServer"/>s) instead of resolved, and only the
/// <see cref="TestCertificateAuthority"/> is trusted (chain and name validated by SslStream, SNI from
/// the URI host as in production). Requests carrying <see cref="UpstreamRequestOptions.Resolution"/>
/// dial its endpoints in order. Unmapped hosts fail like an NXDOMAIN.
/// </summary>
public sealed class LoopbackUpstreamHandlerFactory : IUpstreamHandlerFactory, IDisposable
{
    private readonly ConcurrentDictionary<string, IPEndPoint> _map = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<string> _connects = new();
    private readonly ConcurrentDictionary<string, string> _denied = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<UpstreamHandlerKind, HttpMessageInvoker> _invokers = new();
    private readonly X509Certificate2 _trustedRoot;

    public LoopbackUpstreamHandlerFactory(TestCertificateAuthority authority)
    {
        _trustedRoot = authority.Certificate;
    }

    /// <summary>Connect attempts as "host:port" (the URI authority asked for), in order.</summary>
    public IReadOnlyList<string> Connects => _connects.ToArray();

    /// <summary>Refuses to dial <paramref name="host"/> as the egress address policy would (throws <see cref="EgressException"/> AddressDenied at connect).</summary>
    public void Deny(string host, string reason) => _denied[host] = reason;

    /// <summary>Sends connections for <paramref name="host"/> (any port) to <paramref name="endPoint"/>.</summary>
    public void Map(string host, IPEndPoint endPoint) => _map[host] = endPoint;

    /// <summary>Sends connections for <paramref name="host"/>:<paramref name="port"/> to <paramref name="endPoint"/> (wins over the any-port mapping).</summary>
    public void Map(string host, int port, IPEndPoint endPoint) => _map[$"{host}:{port}"] = endPoint;

    public HttpMessageInvoker GetInvoker(UpstreamHandlerKind kind) =>
        _invokers.GetOrAdd(kind, _ => new HttpMessageInvoker(CreateHandler(), disposeHandler: true));

    public void Dispose()
    {
        foreach (var invoker in _invokers.Values)
        {
            invoker.Dispose();
        }
    }

    private SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        SslOptions = new SslClientAuthenticationOptions
        {
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
                CustomTrustStore = { _trustedRoot },
            },
        },
        ConnectCallback = ConnectAsync,
    };

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var port = context.DnsEndPoint.Port;
        _connects.Enqueue($"{host}:{port}");
        if (_denied.TryGetValue(host, out var reason))
        {
            throw new EgressException(EgressErrorKind.AddressDenied, "connect", reason);
        }

        IReadOnlyList<IPEndPoint> targets;
        if (context.InitialRequestMessage.Options.TryGetValue(UpstreamRequestOptions.Resolution, out var resolution))
        {
            targets = resolution.Endpoints.Select(e => e.EndPoint).ToArray();
        }
        else if (_map.TryGetValue($"{host}:{port}", out var exact) || _map.TryGetValue(host, out exact))
        {
            targets = [exact];
        }
        else
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        Exception? last = null;
        foreach (var target in targets)
        {
            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }
}
