using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace FederationEgress.Forwarding.Upstream;

/// <summary>
/// The seam for the operator's TLS policy (trusted CAs, extra CA files, skip list of names and
/// netmasks). Called once per new upstream TLS connection, after the platform's own validation
/// against the system roots and the target name.
/// </summary>
internal interface IUpstreamCertificateValidator
{
    /// <summary>
    /// True when the connection may be used. <paramref name="platformErrors"/> are the platform's findings
    /// (name mismatch, chain errors); on false <paramref name="reason"/> says why, for the error body.
    /// </summary>
    bool Validate(in UpstreamTlsContext context, X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors platformErrors, out string reason);
}
