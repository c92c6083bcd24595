using FederationEgress.Testing.Interop;

namespace FederationEgress.Interop.Tests.Dns;

/// <summary>One real DNS server per test class, serving <see cref="InteropZone"/>.</summary>
public abstract class RealDnsServerFixture(RealDnsServerKind kind) : IAsyncLifetime
{
    private RealDnsServer? _server;

    public RealDnsServer Server => _server ?? throw new InvalidOperationException("the fixture has not started");

    public async ValueTask InitializeAsync() => _server = await RealDnsServer.StartAsync(kind, InteropZone.Create());

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
