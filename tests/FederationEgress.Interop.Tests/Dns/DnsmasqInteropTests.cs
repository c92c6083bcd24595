namespace FederationEgress.Interop.Tests.Dns;

public sealed class DnsmasqInteropTests(DnsmasqFixture fixture) : RealDnsInteropTests(fixture), IClassFixture<DnsmasqFixture>
{
    [Fact]
    public void Server_LogsQueries()
    {
        Assert.Contains("started, version", Server.Output, StringComparison.Ordinal);
    }
}
