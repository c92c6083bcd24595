using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace FederationEgress.Security.Tls;

/// <summary>
/// Certificate name checks. An IP literal must match an IP SAN, never a DNS SAN or the subject CN
/// (IP-05, IP-06); a DNS name must match a DNS SAN (wildcards allowed, no CN fallback, as in Go and
/// service_identity).
/// </summary>
internal static class CertificateNames
{
    /// <summary>True when <paramref name="certificate"/> is valid for <paramref name="name"/> (brackets already stripped).</summary>
    public static bool Matches(X509Certificate2 certificate, string name, SslPolicyErrors errors, out string problem)
    {
        if (IPAddress.TryParse(name, out var address))
        {
            // SslStream's own check for an IP TargetHost is not relied upon: it is the IP SANs that count.
            foreach (var extension in certificate.Extensions)
            {
                if (extension is X509SubjectAlternativeNameExtension san)
                {
                    foreach (var candidate in san.EnumerateIPAddresses())
                    {
                        if (candidate.Equals(address))
                        {
                            problem = string.Empty;
                            return true;
                        }
                    }
                }
            }

            problem = $"certificate is not valid for IP address {address} (no matching IP SAN; DNS names do not count for IP literals)";
            return false;
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 ||
            !certificate.MatchesHostname(name, allowWildcards: true, allowCommonName: false))
        {
            problem = $"certificate is not valid for name {name}";
            return false;
        }

        problem = string.Empty;
        return true;
    }
}
