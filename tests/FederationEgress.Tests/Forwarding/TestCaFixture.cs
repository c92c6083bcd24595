using FederationEgress.Testing.Tls;

namespace FederationEgress.Tests.Forwarding;

/// <summary>One test CA per test class, with its root written as a PEM file for <c>Tls:ExtraCaFiles</c>.</summary>
public sealed class TestCaFixture : IDisposable
{
    public TestCaFixture()
    {
        Ca = new TestCertificateAuthority();
        PemFile = Ca.WritePemFile();
    }

    public TestCertificateAuthority Ca { get; }

    public string PemFile { get; }

    /// <summary>The configuration entry trusting this CA.</summary>
    public string TrustSetting => $"Tls:ExtraCaFiles:0={PemFile}";

    public void Dispose()
    {
        File.Delete(PemFile);
        Ca.Dispose();
    }
}
