using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using FederationEgress.Diagnostics;
using FederationEgress.Errors;
using FederationEgress.Security.Tls;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FederationEgress.Forwarding.Upstream;

/// <summary>
/// Builds the two shared outbound handlers. Both dial through <see cref="UpstreamConnector"/> (so
/// every socket passes the address policy) and validate certificates through
/// the operator's <see cref="ITlsPolicy"/> for the name in the Host header (SocketsHttpHandler
/// takes SNI and the certificate name from it; an IP literal gets no SNI and an IP check).
/// </summary>
/// <remarks>
/// Connection pools are keyed by the request URI's authority plus the Host/SNI name. The forwarder
/// puts the destination server name in the URI authority, so a pooled connection is only reused
/// for the same server name and Host, i.e. for the same discovery decision; its remote IP passed
/// the address policy when it was dialled, and PooledConnectionLifetime bounds how long it can
/// outlive a changed DNS answer or delegation.
/// </remarks>
internal sealed partial class UpstreamHandlerFactory : IUpstreamHandlerFactory, IDisposable
{
    /// <summary>Well-known fetches are rare and small: a couple of connections per host is plenty.</summary>
    private const int WellKnownMaxConnectionsPerServer = 2;

    private readonly ITlsPolicy _tls;
    private readonly System.Diagnostics.DistributedContextPropagator _propagator;
    private readonly ILogger<UpstreamHandlerFactory> _logger;
    private readonly HttpMessageInvoker _federation;
    private readonly HttpMessageInvoker _wellKnown;

    public UpstreamHandlerFactory(
        UpstreamConnector connector,
        ITlsPolicy tls,
        IOptions<EgressTelemetryOptions> telemetry,
        IOptions<ForwardingOptions> options,
        ILogger<UpstreamHandlerFactory> logger)
    {
        _tls = tls;
        _propagator = TracePropagation.UpstreamPropagator(telemetry.Value);
        _logger = logger;
        var o = options.Value;
        _federation = new HttpMessageInvoker(new FlushingRequestHandler(CreateHandler(connector, o, o.MaxConnectionsPerServer, o.EnableHttp2)), disposeHandler: true);
        _wellKnown = new HttpMessageInvoker(CreateHandler(connector, o, WellKnownMaxConnectionsPerServer, multipleHttp2: false), disposeHandler: true);
    }

    public HttpMessageInvoker GetInvoker(UpstreamHandlerKind kind) => kind switch
    {
        UpstreamHandlerKind.Federation => _federation,
        UpstreamHandlerKind.WellKnown => _wellKnown,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown upstream handler kind"),
    };

    public void Dispose()
    {
        _federation.Dispose();
        _wellKnown.Dispose();
    }

    private SocketsHttpHandler CreateHandler(UpstreamConnector connector, ForwardingOptions options, int maxConnections, bool multipleHttp2) => new()
    {
        ConnectCallback = connector.ConnectAsync,

        // The connector bounds each TCP connect and the TLS handshake; response headers have their own timeout.
        ConnectTimeout = Timeout.InfiniteTimeSpan,
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,

        // The proxy's own trace context reaches remote servers only when Telemetry:PropagateTraceContext
        // says so; a no-output propagator (not null) keeps the outgoing span itself.
        ActivityHeadersPropagator = _propagator,
        PooledConnectionLifetime = TimeSpan.FromSeconds(options.PooledConnectionLifetimeSeconds),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(options.PooledConnectionIdleTimeoutSeconds),
        MaxConnectionsPerServer = maxConnections,
        EnableMultipleHttp2Connections = multipleHttp2,
        SslOptions = CreateSslOptions(),
    };

    private SslClientAuthenticationOptions CreateSslOptions()
    {
        // Protocol floor and no certificate downloads (AIA fetches would be unpoliced egress) come
        // from the policy; the callback is ours so a failure can name the endpoint and fail over.
        var ssl = new SslClientAuthenticationOptions();
        _tls.ConfigureClientOptions(ssl);
        ssl.RemoteCertificateValidationCallback = ValidateCertificate;
        return ssl;
    }

    private bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var ssl = sender as SslStream;
        var connection = SslInnerStream.ConnectionOf(sender);
        connection?.MarkHandshakeProgress();

        var targetHost = ssl?.TargetHostName ?? string.Empty;
        if (_tls.Validate(targetHost, connection?.RemoteEndPoint?.Address, certificate, chain, errors, out var reason))
        {
            return true;
        }

        var where = connection is null ? targetHost : $"{connection.RemoteEndPoint} ({targetHost})";
        var error = new EgressError(EgressErrorKind.TlsFailed, "tls", $"certificate of {where} rejected: {reason}");
        connection?.ReportTlsFailure(error);
        Log.CertificateRejected(_logger, where, reason);
        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(4020, LogLevel.Debug, "TLS certificate of {Where} rejected: {Reason}")]
        public static partial void CertificateRejected(ILogger logger, string where, string reason);
    }
}
