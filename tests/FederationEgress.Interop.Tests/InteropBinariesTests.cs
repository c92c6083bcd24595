using FederationEgress.Testing.Interop;

namespace FederationEgress.Interop.Tests;

public sealed class InteropBinariesTests
{
    [Fact]
    public void Require_MissingBinary_FailsPointingAtRunAll()
    {
        var error = Assert.Throws<InvalidOperationException>(() => InteropBinaries.Require("fe-no-such-server-binary"));

        Assert.Contains("tests/run-all.sh", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dnsmasq")]
    [InlineData("unbound")]
    [InlineData("nginx")]
    public void Require_InteropServer_Installed(string name)
    {
        Assert.True(File.Exists(InteropBinaries.Require(name)));
    }
}
