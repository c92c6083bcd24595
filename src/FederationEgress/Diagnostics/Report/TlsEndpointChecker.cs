using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FederationEgress.Discovery;
using FederationEgress.Forwarding;
using FederationEgress.Security;
using FederationEgress.Security.Tls;
using Microsoft.Extensions.Options;

namespace FederationEgress.Diagnostics.Report;

/// <summary>
/// Connects to each endpoint of a resolution and runs the TLS handshake the forwarder would run:
/// the egress address policy is checked before dialling (a denied address is never dialled), the
/// TLS policy configures the handshake (protocols, SNI only for names, no AIA downloads) and judges
/// the certificate, with the forwarder's connect and handshake timeouts. No request is sent.
/// </summary>
internal sealed class TlsEndpointChecker
{
    private static readonly List<SslApplicationProtocol> OfferedProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    private readonly IEgressAddressPolicy _addressPolicy;
    private readonly ITlsPolicy _tlsPolicy;
    private readonly TimeProvider _time;
    private readonly TimeSpan _connectTimeout;
    private readonly TimeSpan _handshakeTimeout;

    public TlsEndpointChecker(IEgressAddressPolicy addressPolicy, ITlsPolicy tlsPolicy, IOptions<ForwardingOptions> forwarding, TimeProvider time)
    {
        _addressPolicy = addressPolicy;
        _tlsPolicy = tlsPolicy;
        _time = time;
        _connectTimeout = TimeSpan.FromSeconds(forwarding.Value.ConnectTimeoutSeconds);
        _handshakeTimeout = TimeSpan.FromSeconds(forwarding.Value.TlsHandshakeTimeoutSeconds);
    }

    /// <summary>Checks every endpoint of <paramref name="resolution"/>, in failover order, one after the other (as failover would dial them).</summary>
    public async Task<IReadOnlyList<EndpointTlsCheck>> CheckAllAsync(Resolution resolution, CancellationToken cancellationToken)
    {
        var checks = new List<EndpointTlsCheck>(resolution.Endpoints.Count);
        foreach (var endpoint in resolution.Endpoints)
        {
            checks.Add(await CheckAsync(endpoint.EndPoint, resolution.TlsName, cancellationToken).ConfigureAwait(false));
        }

        return checks;
    }

    /// <summary>Checks one endpoint; <paramref name="tlsName"/> null means "certificate for the IP, no SNI".</summary>
    public async Task<EndpointTlsCheck> CheckAsync(IPEndPoint endpoint, string? tlsName, CancellationToken cancellationToken)
    {
        var name = tlsName ?? endpoint.Address.ToString();
        var check = new EndpointTlsCheck { Endpoint = endpoint.ToString(), TlsName = name, Sni = tlsName is not null, Outcome = "ok" };
        if (!_addressPolicy.IsAllowed(endpoint.Address, out var denial))
        {
            return check with { Outcome = "address_denied", Error = denial };
        }

        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var start = _time.GetTimestamp();
        using (var timeout = new CancellationTokenSource(_connectTimeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                await socket.ConnectAsync(endpoint, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return check with { Outcome = "timeout", Error = $"connect timed out after {_connectTimeout.TotalSeconds:0.###} s" };
            }
            catch (SocketException e)
            {
                return check with { Outcome = "connect_failed", Error = $"{e.SocketErrorCode}: {e.Message}" };
            }
        }

        check = check with { ConnectMs = Milliseconds(_time.GetElapsedTime(start)) };
        X509Certificate2? certificate = null;
        var valid = false;
        string? validationError = null;
        var options = new SslClientAuthenticationOptions { ApplicationProtocols = OfferedProtocols };
        _tlsPolicy.ConfigureClientOptions(options, name, endpoint.Address);

        // Judge the certificate with the TLS policy but let the handshake finish either way, so an
        // invalid certificate is still described (subject, SANs, dates) and the protocol is known.
        // Safe: the stream is closed right after, without sending a byte of application data.
        options.RemoteCertificateValidationCallback = (_, cert, chain, errors) =>
        {
            certificate = cert is null ? null : new X509Certificate2(cert);
            valid = _tlsPolicy.Validate(name, endpoint.Address, cert, chain, errors, out var reason);
            validationError = valid ? null : reason;
            return true;
        };

        var stream = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        await using (stream.ConfigureAwait(false))
        {
            var handshakeStart = _time.GetTimestamp();
            using var timeout = new CancellationTokenSource(_handshakeTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                await stream.AuthenticateAsClientAsync(options, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Describe(check, certificate, valid, validationError) with
                {
                    Outcome = "timeout",
                    Error = $"TLS handshake timed out after {_handshakeTimeout.TotalSeconds:0.###} s",
                };
            }
            catch (Exception e) when (e is AuthenticationException or IOException or SocketException)
            {
                return Describe(check, certificate, valid, validationError) with
                {
                    Outcome = "tls_failed",
                    Error = e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message,
                };
            }

            check = Describe(check, certificate, valid, validationError) with
            {
                Outcome = valid ? "ok" : "invalid_certificate",
                Protocol = ProtocolName(stream.SslProtocol),
                Alpn = stream.NegotiatedApplicationProtocol == default ? null : stream.NegotiatedApplicationProtocol.ToString(),
                HandshakeMs = Milliseconds(_time.GetElapsedTime(handshakeStart)),
            };
        }

        certificate?.Dispose();
        return check;
    }

    private static EndpointTlsCheck Describe(EndpointTlsCheck check, X509Certificate2? certificate, bool valid, string? validationError) =>
        certificate is null
            ? check
            : check with { Certificate = Summarize(certificate), CertificateValid = valid, ValidationError = validationError };

    internal static CertificateSummary Summarize(X509Certificate2 certificate)
    {
        var sans = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                sans.AddRange(san.EnumerateDnsNames().Select(n => "DNS:" + n));
                sans.AddRange(san.EnumerateIPAddresses().Select(a => "IP:" + a));
            }
        }

        return new CertificateSummary
        {
            Subject = certificate.Subject,
            Issuer = certificate.Issuer,
            SubjectAlternativeNames = sans,
            NotBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            NotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            Sha256 = Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256)),
        };
    }

    private static string ProtocolName(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLS 1.3",
        SslProtocols.Tls12 => "TLS 1.2",
        _ => protocol.ToString(),
    };

    private static double Milliseconds(TimeSpan span) => Math.Round(span.TotalMilliseconds, 3);
}
