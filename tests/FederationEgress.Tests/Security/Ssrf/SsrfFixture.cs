using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Hosting;
using FederationEgress.Testing.Logging;
using FederationEgress.Testing.Tls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Tests.Security.Ssrf;

/// <summary>
/// One real proxy (default deny list; only <see cref="SsrfAddresses.PublicRange"/> allowed), its
/// scripted DNS server, a test CA and a log collector, shared by the tests of a class. Tests use
/// names and addresses of their own, so they never see each other's cache entries.
/// </summary>
public sealed class SsrfFixture : IAsyncLifetime
{
    public ScriptedDnsServer Dns { get; private set; } = null!;

    public TestCertificateAuthority Ca { get; } = new();

    public LogCollector Logs { get; } = new();

    public RealStackProxy Proxy { get; private set; } = null!;

    private string _pem = null!;

    public async ValueTask InitializeAsync()
    {
        Dns = ScriptedDnsServer.Start();
        Dns.SetSoa("test", minimum: 30);
        _pem = Ca.WritePemFile();
        Proxy = await RealStackProxy.StartAsync(
            Dns,
            _pem,
            [SsrfAddresses.PublicRange],
            builder =>
            {
                builder.Logging.AddProvider(Logs);
                builder.Logging.AddFilter<LogCollector>(null, LogLevel.Trace);
            },
            "Forwarding:ConnectTimeoutSeconds=10");
    }

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Dns.DisposeAsync();
        File.Delete(_pem);
        Ca.Dispose();
    }
}
