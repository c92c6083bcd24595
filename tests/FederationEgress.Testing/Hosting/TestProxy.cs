using FederationEgress.Discovery;
using FederationEgress.Security;
using FederationEgress.Testing.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.Testing.Hosting;

/// <summary>
/// The real FederationEgress app with the resolver and address policy replaced by test fakes.
/// Configuration keys are passed as "Key=Value" entries (<c>Forwarding:ConnectTimeoutSeconds=2</c>).
/// </summary>
public sealed class TestProxy : ProxyHost
{
    private TestProxy(WebApplication app, StaticServerResolver resolver)
        : base(app)
    {
        Resolver = resolver;
    }

    /// <summary>The resolver the proxy uses.</summary>
    public StaticServerResolver Resolver { get; }

    /// <summary>
    /// Starts the proxy. <paramref name="settings"/> are "Key=Value" configuration entries;
    /// <paramref name="policy"/> defaults to permitting loopback only.
    /// </summary>
    public static Task<TestProxy> StartAsync(
        StaticServerResolver? resolver = null,
        IEgressAddressPolicy? policy = null,
        params string[] settings) => StartAsync(resolver, policy, configure: null, settings);

    /// <summary>As above; <paramref name="configure"/> can replace more services (DNS, startup filters).</summary>
    public static async Task<TestProxy> StartAsync(
        StaticServerResolver? resolver,
        IEgressAddressPolicy? policy,
        Action<WebApplicationBuilder>? configure,
        params string[] settings)
    {
        resolver ??= new StaticServerResolver();
        policy ??= RangeAddressPolicy.LoopbackExcept();

        // Tests only talk to loopback: unless a test names its own DNS server, lookups go to a loopback
        // port nothing answers on, never to the machine's resolv.conf servers.
        var app = await StartAppAsync(["Dns:Servers:0=127.0.0.1:9", .. settings], builder =>
        {
            builder.Services.AddSingleton<IServerResolver>(resolver);
            builder.Services.AddSingleton(policy);
            configure?.Invoke(builder);
        });
        return new TestProxy(app, resolver);
    }
}
