using FederationEgress.Testing.Tls;

namespace FederationEgress.Tests.Security.Tls;

public sealed class TlsOptionsValidationTests
{
    [Theory]
    [InlineData("Tls:MinimumVersion", "1.1", "Tls:MinimumVersion '1.1' must be \"1.2\" or \"1.3\"")]
    [InlineData("Tls:MinimumVersion", "TLS1.2", "Tls:MinimumVersion 'TLS1.2'")]
    [InlineData("Tls:ExtraCaFiles:0", "/nonexistent/ca.pem", "Tls:ExtraCaFiles:0 '/nonexistent/ca.pem' does not exist")]
    [InlineData("Tls:SkipVerification:0", "テスト.ドメイン.テスト", "Tls:SkipVerification:0 'テスト.ドメイン.テスト' is not a domain pattern: it is not ASCII")]
    [InlineData("Tls:SkipVerification:0", "10.0.0.0/33", "Tls:SkipVerification:0 '10.0.0.0/33' is not a CIDR")]
    [InlineData("Tls:SkipVerification:0", "fe80::1/10", "Tls:SkipVerification:0 'fe80::1/10' is not a CIDR: host bits are set")]
    [InlineData("Tls:SkipVerification:0", "", "Tls:SkipVerification:0 '' is not a domain pattern: it is empty")]
    public void Startup_BadTlsOption_FailsNamingTheKey(string key, string value, string expected)
    {
        var error = SecurityTestHost.StartupError(new Dictionary<string, string?> { [key] = value });
        Assert.NotNull(error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Startup_CaFileWithoutCertificates_FailsNamingTheKey()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not a certificate\n");
            var error = SecurityTestHost.StartupError(new Dictionary<string, string?> { ["Tls:ExtraCaFiles:0"] = path });
            Assert.Contains($"Tls:ExtraCaFiles:0 '{path}' contains no PEM certificates", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Startup_ValidTlsOptions_Succeed()
    {
        using var ca = new TestCertificateAuthority();
        var path = ca.WritePemFile();
        try
        {
            Assert.Null(SecurityTestHost.StartupError(new Dictionary<string, string?>
            {
                ["Tls:MinimumVersion"] = "1.3",
                ["Tls:ExtraCaFiles:0"] = path,
                ["Tls:SkipVerification:0"] = "*.onion",
                ["Tls:SkipVerification:1"] = "10.0.0.0/8",
                ["Tls:SkipVerification:2"] = "fd00::/8",
                ["Tls:SkipVerification:3"] = "192.0.2.7",
            }));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
