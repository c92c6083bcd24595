using System.Net;
using FederationEgress.Security.LoopProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.Tests.Security.Ssrf;

/// <summary>The loop guard's view of the bound listeners, including wildcard binds (never opened in tests).</summary>
public sealed class ListenerLoopGuardTests
{
    [Theory]
    [InlineData("127.0.0.1", 8011, true)]
    [InlineData("::ffff:127.0.0.1", 8011, true)]
    [InlineData("127.0.0.1", 8012, false)]
    [InlineData("127.0.0.2", 8011, false)]
    [InlineData("127.5.5.5", 8009, true)]
    [InlineData("::1", 8010, true)]
    [InlineData("127.0.0.1", 8010, true)]
    [InlineData("192.0.2.1", 8009, false)]
    public void IsOwnListener_BoundAndWildcardListeners_MatchesOnlyLocalAddressesOnTheirPorts(string address, int port, bool expected)
    {
        var guard = Guard("http://0.0.0.0:8009", "http://[::]:8010", "http://127.0.0.1:8011", "http://unix:/run/egress.sock");

        Assert.Equal(expected, guard.IsOwnListener(new IPEndPoint(IPAddress.Parse(address), port), out _));
    }

    [Fact]
    public void IsOwnListener_BeforeTheServerStarted_MatchesNothingAndRetriesLater()
    {
        var server = new FakeServer();
        var guard = new ListenerLoopGuard(new ServiceCollection().AddSingleton<IServer>(server).BuildServiceProvider());

        Assert.False(guard.IsOwnListener(new IPEndPoint(IPAddress.Loopback, 8009), out _));
        server.Addresses.Add("http://127.0.0.1:8009");
        Assert.True(guard.IsOwnListener(new IPEndPoint(IPAddress.Loopback, 8009), out var listener));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8009), listener);
    }

    private static ListenerLoopGuard Guard(params string[] addresses)
    {
        var server = new FakeServer();
        foreach (var address in addresses)
        {
            server.Addresses.Add(address);
        }

        return new ListenerLoopGuard(new ServiceCollection().AddSingleton<IServer>(server).BuildServiceProvider());
    }

    private sealed class FakeServer : IServer, IServerAddressesFeature
    {
        public FakeServer()
        {
            Features.Set<IServerAddressesFeature>(this);
        }

        public IFeatureCollection Features { get; } = new FeatureCollection();

        public ICollection<string> Addresses { get; } = new List<string>();

        public bool PreferHostingUrls { get; set; }

        public void Dispose()
        {
        }

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
