using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FederationEgress.Testing.Tls;

namespace FederationEgress.Tests.Security.Tls;

/// <summary>Certificates the shared test CA cannot mint: a DNS SAN spelled like an IP, or no SAN at all.</summary>
internal static class CertificateFactory
{
    /// <summary>Issues a leaf whose only SAN is the DNS name <paramref name="dnsName"/> (even if it looks like an IP).</summary>
    public static X509Certificate2 IssueWithDnsSan(TestCertificateAuthority ca, string dnsName) =>
        Issue(ca, $"CN={dnsName}", request =>
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(dnsName);
            request.CertificateExtensions.Add(san.Build());
        });

    /// <summary>Issues a leaf with subject CN <paramref name="commonName"/> and no SAN extension.</summary>
    public static X509Certificate2 IssueWithCommonNameOnly(TestCertificateAuthority ca, string commonName) =>
        Issue(ca, $"CN={commonName}", _ => { });

    private static X509Certificate2 Issue(TestCertificateAuthority ca, string subject, Action<CertificateRequest> configure)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        configure(request);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca.Certificate, true, false));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(ca.Certificate, now.AddHours(-1), now.AddDays(30), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
