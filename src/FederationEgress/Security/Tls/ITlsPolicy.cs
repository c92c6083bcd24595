using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace FederationEgress.Security.Tls;

/// <summary>
/// Decides whether a TLS peer's certificate is acceptable for outbound connections: chain to a
/// system root or an operator CA (<c>Tls:ExtraCaFiles</c>), name match (IP literals only against IP
/// SANs), validity period; skipped only for <c>Tls:SkipVerification</c> entries.
/// </summary>
public interface ITlsPolicy
{
    /// <summary>Protocols offered (TLS 1.2 and 1.3 by default; 1.3 only with <c>MinimumVersion</c> "1.3").</summary>
    SslProtocols EnabledProtocols { get; }

    /// <summary>
    /// Validates a peer certificate. <paramref name="tlsName"/> is the name the certificate must be
    /// valid for (the SNI name, or the IP literal with or without brackets); <paramref name="remoteAddress"/>
    /// is the IP actually connected to (for skip-list netmasks). On failure <paramref name="failureReason"/>
    /// names what failed, e.g. "certificate is not valid for name example.org".
    /// </summary>
    bool Validate(string? tlsName, IPAddress? remoteAddress, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, out string failureReason);

    /// <summary>
    /// Configures client options for one connection: protocols, a chain policy that never downloads
    /// certificates (AIA fetches would be unpoliced egress), <see cref="SslClientAuthenticationOptions.TargetHost"/>
    /// (when <paramref name="tlsName"/> is given; an IP literal sends no SNI) and the validation callback
    /// (<see cref="CreateValidationCallback"/>).
    /// </summary>
    void ConfigureClientOptions(SslClientAuthenticationOptions options, string? tlsName = null, IPAddress? remoteAddress = null, Action<string>? onFailure = null);

    /// <summary>
    /// A validation callback for <see cref="SslClientAuthenticationOptions.RemoteCertificateValidationCallback"/>.
    /// The TLS name is the stream's <see cref="SslStream.TargetHostName"/>; <paramref name="remoteAddress"/>
    /// is the connected IP (skip-list netmasks only match when it is given). <paramref name="onFailure"/>
    /// receives the reason, which the handshake exception does not carry. With SocketsHttpHandler, prefer
    /// <see cref="AuthenticateAsClientAsync"/> in the ConnectCallback (the handler uses a returned
    /// SslStream as is), so the connected IP is known.
    /// </summary>
    RemoteCertificateValidationCallback CreateValidationCallback(IPAddress? remoteAddress = null, Action<string>? onFailure = null);

    /// <summary>
    /// Runs the client handshake over <paramref name="transport"/> for <paramref name="tlsName"/> (DNS
    /// name: SNI and certificate name; IP literal: no SNI, IP SAN) connected to <paramref name="remoteAddress"/>.
    /// Returns the authenticated stream (which owns <paramref name="transport"/>) or throws
    /// <see cref="Errors.EgressException"/> of kind <see cref="Errors.EgressErrorKind.TlsFailed"/> naming the reason.
    /// </summary>
    Task<SslStream> AuthenticateAsClientAsync(Stream transport, string tlsName, IPAddress? remoteAddress, List<SslApplicationProtocol>? applicationProtocols, CancellationToken cancellationToken);
}
