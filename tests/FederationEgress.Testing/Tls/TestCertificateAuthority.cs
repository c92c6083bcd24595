using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FederationEgress.Testing.Tls;

/// <summary>
/// A certificate authority minted at test time. Issues leaf certificates with chosen DNS and IP
/// SANs and validity windows; exports its root as PEM for the proxy's extra-CA configuration.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly ECDsa _key;

    public TestCertificateAuthority(string name = "FederationEgress Test CA")
        : this(name, issuer: null)
    {
    }

    private TestCertificateAuthority(string name, TestCertificateAuthority? issuer)
    {
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;

        // Back-dated a year so expired leaf certificates (IssueExpiredCertificate) fit inside its validity.
        if (issuer is null)
        {
            Certificate = request.CreateSelfSigned(now.AddYears(-1), now.AddYears(5));
            return;
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer.Certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(issuer.Certificate, now.AddYears(-1).AddMinutes(1), now.AddYears(5).AddMinutes(-1), serial);
        Certificate = issued.CopyWithPrivateKey(_key);
    }

    /// <summary>An intermediate CA issued by this one; its <see cref="Certificate"/> has a private key and issues leaves.</summary>
    public TestCertificateAuthority CreateIntermediate(string name) => new(name, this);

    /// <summary>The root certificate (with private key).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The root certificate in PEM form.</summary>
    public string ExportPem() => Certificate.ExportCertificatePem();

    /// <summary>Writes the root as a PEM file and returns its path (for <c>Tls:ExtraCaFiles</c>).</summary>
    public string WritePemFile(string? directory = null)
    {
        var path = Path.Combine(directory ?? Path.GetTempPath(), $"fe-test-ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, ExportPem());
        return path;
    }

    /// <summary>
    /// Issues a server certificate. <paramref name="names"/> entries that parse as IP addresses become
    /// IP SANs, the rest DNS SANs. The first entry is also the subject CN.
    /// </summary>
    public X509Certificate2 IssueServerCertificate(IEnumerable<string> names, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var list = names.ToList();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={(list.Count > 0 ? list[0] : "no-name")}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in list)
        {
            if (IPAddress.TryParse(name.Trim('[', ']'), out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        if (list.Count > 0)
        {
            request.CertificateExtensions.Add(san.Build());
        }

        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));

        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(Certificate, notBefore ?? now.AddHours(-1), notAfter ?? now.AddDays(30), serial);
        using var withKey = issued.CopyWithPrivateKey(key);

        // Round-trip through PKCS#12 so SslStream on Linux can use the ephemeral key.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Issues an already-expired certificate for <paramref name="names"/>.</summary>
    public X509Certificate2 IssueExpiredCertificate(IEnumerable<string> names) =>
        IssueServerCertificate(names, DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1));

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
