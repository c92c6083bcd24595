using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FederationEgress.Testing.Tls;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using FederationEgress.FrontEnds.Synapse;

namespace FederationEgress.Tests.FrontEnds.Synapse;

/// <summary>Synapse's <c>instance_map</c> entry with <c>tls: true</c>: the protocol over TLS, with certificate rotation.</summary>
public sealed class SynapseTlsTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = new("Synapse listener test CA");
    private readonly string _directory = Directory.CreateTempSubdirectory("fe-synapse-tls-").FullName;

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task TlsListener_SynapseRequestOverTls_RewrittenAndAuthenticated()
    {
        var files = WritePair(_ca.IssueServerCertificate(["egress.internal"]), "listener");
        await using var host = await SynapseTestHost.StartAsync(tlsFiles: files);
        await using var client = await RawHttpConnection.ConnectTlsAsync(host.SynapseEndPoint, "egress.internal", TrustTestCa);

        await client.SendAsync(SynapseFrontEndTests.SynapseRequest(body: "over tls"));
        var response = await client.ReadResponseAsync();

        Assert.Equal(200, response!.Status);
        var seen = Assert.Single(host.Seen);
        Assert.Equal(("/remote.example/_matrix/federation/v1/send/1700000000000", "over tls", "synapse"), (seen.RawTarget, seen.Body, seen.Profile));
    }

    [Fact]
    public async Task TlsListener_WithoutTheSharedSecret_401OverTls()
    {
        var files = WritePair(_ca.IssueServerCertificate(["egress.internal"]), "listener");
        await using var host = await SynapseTestHost.StartAsync(tlsFiles: files);
        await using var client = await RawHttpConnection.ConnectTlsAsync(host.SynapseEndPoint, "egress.internal", TrustTestCa);

        await client.SendAsync(SynapseFrontEndTests.SynapseRequest(auth: string.Empty));
        var response = await client.ReadResponseAsync();

        Assert.Equal(401, response!.Status);
        Assert.Empty(host.Seen);
    }

    [Fact]
    public async Task TlsListener_CertificateFilesReplaced_NewConnectionsGetTheNewCertificate()
    {
        var first = _ca.IssueServerCertificate(["egress.internal"]);
        var files = WritePair(first, "listener");
        await using var host = await SynapseTestHost.StartAsync(tlsFiles: files);
        await using (var before = await RawHttpConnection.ConnectTlsAsync(host.SynapseEndPoint, "egress.internal", TrustTestCa))
        {
            Assert.Equal(first.Thumbprint, new X509Certificate2(before.RemoteCertificate!).Thumbprint);
        }

        // Rotated in place, as cert-manager does; the timestamps move so the change is seen.
        var second = _ca.IssueServerCertificate(["egress.internal"]);
        WritePair(second, "listener");
        File.SetLastWriteTimeUtc(files.Certificate, DateTime.UtcNow.AddSeconds(5));
        File.SetLastWriteTimeUtc(files.Key, DateTime.UtcNow.AddSeconds(5));

        await using var after = await RawHttpConnection.ConnectTlsAsync(host.SynapseEndPoint, "egress.internal", TrustTestCa);
        Assert.Equal(second.Thumbprint, new X509Certificate2(after.RemoteCertificate!).Thumbprint);
        await after.SendAsync(SynapseFrontEndTests.SynapseRequest(body: "after rotation"));
        Assert.Equal(200, (await after.ReadResponseAsync())!.Status);
    }

    [Fact]
    public void Options_OnlyTheCertificateFile_FailureNamesBothKeys()
    {
        var files = WritePair(_ca.IssueServerCertificate(["egress.internal"]), "listener");

        var error = Validate(new() { ["Synapse:TlsCertificateFile"] = files.Certificate });

        Assert.Contains("Synapse:TlsCertificateFile and Synapse:TlsKeyFile must be set together", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_KeyOfAnotherCertificate_FailureNamesTheFiles()
    {
        var files = WritePair(_ca.IssueServerCertificate(["egress.internal"]), "listener");
        var other = WritePair(_ca.IssueServerCertificate(["other.internal"]), "other");

        var error = Validate(new() { ["Synapse:TlsCertificateFile"] = files.Certificate, ["Synapse:TlsKeyFile"] = other.Key });

        Assert.Contains($"Synapse:TlsCertificateFile '{files.Certificate}' with Synapse:TlsKeyFile '{other.Key}'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_MissingFiles_FailureNamesTheFiles()
    {
        var error = Validate(new() { ["Synapse:TlsCertificateFile"] = "/nonexistent/cert.pem", ["Synapse:TlsKeyFile"] = "/nonexistent/key.pem" });

        Assert.Contains("Synapse:TlsCertificateFile '/nonexistent/cert.pem'", error, StringComparison.Ordinal);
    }

    private string Validate(Dictionary<string, string?> settings)
    {
        settings["Synapse:Enabled"] = "true";
        settings["Synapse:SharedSecret"] = SynapseTestHost.Secret;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection().AddEgressSynapseFrontEnd(configuration).BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SynapseFrontEndOptions>>().Value).Message;
    }

    private (string Certificate, string Key) WritePair(X509Certificate2 certificate, string name)
    {
        var certificateFile = Path.Combine(_directory, name + ".crt");
        var keyFile = Path.Combine(_directory, name + ".key");
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        using var key = certificate.GetECDsaPrivateKey()!;
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certificateFile, keyFile);
    }

    private bool TrustTestCa(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(_ca.Certificate);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return custom.Build(new X509Certificate2(certificate));
    }
}
