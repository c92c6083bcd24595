using FederationEgress.Testing.Tls;

namespace FederationEgress.Tests.Resilience;

/// <summary>One test CA per test class, its root written as a PEM file for <c>Tls:ExtraCaFiles</c>.</summary>
public sealed class ResilienceCaFixture : IDisposable
{
    public ResilienceCaFixture()
    {
        Ca = new TestCertificateAuthority("Resilience Test CA");
        PemFile = Ca.WritePemFile();
    }

    public TestCertificateAuthority Ca { get; }

    public string PemFile { get; }

    public void Dispose()
    {
        File.Delete(PemFile);
        Ca.Dispose();
    }
}
