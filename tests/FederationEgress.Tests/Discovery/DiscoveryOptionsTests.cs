using FederationEgress.Discovery;
using FederationEgress.Dns;
using FederationEgress.Forwarding;
using FederationEgress.ServerNames;
using FederationEgress.Testing.Fakes;
using FederationEgress.Testing.Tls;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FederationEgress.Tests.Discovery;

/// <summary>The Discovery configuration section: defaults, validation naming the key, DI wiring.</summary>
public sealed class DiscoveryOptionsTests
{
    [Fact]
    public void Defaults_MatchTheDocumentedValues()
    {
        var o = new DiscoveryOptions();

        Assert.Equal(
            (10, 51_200, 5, 86_400, 300, 172_800, 3_600, 120, 7_200, 0.2, 0.1, 3, 500, 100_000, 30),
            (o.WellKnownTimeoutSeconds, o.WellKnownMaxBodyBytes, o.WellKnownMaxRedirects, o.WellKnownDefaultCacheSeconds, o.WellKnownMinCacheSeconds,
             o.WellKnownMaxCacheSeconds, o.WellKnownInvalidCacheSeconds, o.WellKnownDownCacheSeconds, o.WellKnownRememberValidSeconds, o.WellKnownRefreshFraction,
             o.CacheJitterFraction, o.WellKnownRetryAttempts, o.WellKnownRetryDelayMilliseconds, o.MaxCachedServers, o.StaleResolutionSeconds));
        Assert.True(new DiscoveryOptionsValidator().Validate(null, o).Succeeded);
    }

    [Theory]
    [InlineData("WellKnownTimeoutSeconds", "0")]
    [InlineData("WellKnownMaxBodyBytes", "0")]
    [InlineData("WellKnownMaxRedirects", "-1")]
    [InlineData("WellKnownDefaultCacheSeconds", "0")]
    [InlineData("WellKnownMinCacheSeconds", "0")]
    [InlineData("WellKnownMaxCacheSeconds", "10")]
    [InlineData("WellKnownInvalidCacheSeconds", "0")]
    [InlineData("WellKnownDownCacheSeconds", "7200")]
    [InlineData("WellKnownRememberValidSeconds", "-1")]
    [InlineData("WellKnownRefreshFraction", "1")]
    [InlineData("CacheJitterFraction", "0.9")]
    [InlineData("WellKnownRetryAttempts", "0")]
    [InlineData("WellKnownRetryDelayMilliseconds", "-5")]
    [InlineData("MaxCachedServers", "0")]
    [InlineData("StaleResolutionSeconds", "0")]
    public void AddEgressDiscovery_InvalidValue_FailsAtStartNamingTheKey(string key, string value)
    {
        using var provider = BuildProvider(new Dictionary<string, string?> { ["Discovery:" + key] = value });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DiscoveryOptions>>().Value);

        Assert.Contains("Discovery:" + key, ex.Message);
    }

    [Fact]
    public async Task AddEgressDiscovery_Configured_ResolvesThroughTheRegisteredResolver()
    {
        using var provider = BuildProvider(new Dictionary<string, string?> { ["Discovery:WellKnownMinCacheSeconds"] = "5" });

        var resolver = provider.GetRequiredService<IServerResolver>();
        var resolution = await resolver.ResolveAsync(ServerName.Parse("10.0.0.1:8448"), TestContext.Current.CancellationToken);

        Assert.Same(resolver, provider.GetRequiredService<IServerResolverDiagnostics>());
        Assert.Equal(5, provider.GetRequiredService<IOptions<DiscoveryOptions>>().Value.WellKnownMinCacheSeconds);
        Assert.Equal("10.0.0.1:8448", resolution.HostHeader);
    }

    private static ServiceProvider BuildProvider(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IDnsResolver>(new ScriptedDnsResolver());
        services.AddSingleton<TestCertificateAuthority>();
        services.AddSingleton<IUpstreamHandlerFactory>(sp => new LoopbackUpstreamHandlerFactory(sp.GetRequiredService<TestCertificateAuthority>()));
        services.AddEgressDiscovery(configuration);
        return services.BuildServiceProvider();
    }
}
