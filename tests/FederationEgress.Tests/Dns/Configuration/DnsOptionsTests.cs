using FederationEgress.Dns;
using FederationEgress.Dns.Caching;
using FederationEgress.Dns.Client;
using FederationEgress.Testing.Time;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FederationEgress.Tests.Dns.Configuration;

public sealed class DnsOptionsTests
{
    [Theory]
    [InlineData("Servers:0", "dns.example.org", "Dns:Servers:0")]
    [InlineData("TimeoutMilliseconds", "0", "Dns:TimeoutMilliseconds")]
    [InlineData("Attempts", "0", "Dns:Attempts")]
    [InlineData("UdpPayloadSize", "511", "Dns:UdpPayloadSize")]
    [InlineData("UdpPayloadSize", "70000", "Dns:UdpPayloadSize")]
    [InlineData("MinTtlSeconds", "-1", "Dns:MinTtlSeconds")]
    [InlineData("MaxTtlSeconds", "10", "Dns:MaxTtlSeconds")]
    [InlineData("NegativeMinTtlSeconds", "-5", "Dns:NegativeMinTtlSeconds")]
    [InlineData("NegativeMaxTtlSeconds", "1", "Dns:NegativeMaxTtlSeconds")]
    [InlineData("MaxStaleSeconds", "-1", "Dns:MaxStaleSeconds")]
    [InlineData("MaxEntries", "0", "Dns:MaxEntries")]
    [InlineData("MaxCnameDepth", "0", "Dns:MaxCnameDepth")]
    public void AddEgressDns_InvalidValue_FailureNamesTheKey(string key, string value, string expectedKey)
    {
        using var provider = Build(new() { [$"Dns:{key}"] = value });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DnsOptions>>().Value);

        Assert.Contains(expectedKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddEgressDns_Defaults_MatchDocumentation()
    {
        using var provider = Build([]);

        var options = provider.GetRequiredService<IOptions<DnsOptions>>().Value;

        Assert.Empty(options.Servers);
        Assert.Null(options.TimeoutMilliseconds);
        Assert.Null(options.Attempts);
        Assert.Equal(
            (1232, 30, 86_400, 30, 3_600, 86_400, 10_000, 8, "/etc/resolv.conf"),
            (options.UdpPayloadSize, options.MinTtlSeconds, options.MaxTtlSeconds, options.NegativeMinTtlSeconds, options.NegativeMaxTtlSeconds,
                options.MaxStaleSeconds, options.MaxEntries, options.MaxCnameDepth, options.ResolvConfPath));
    }

    [Fact]
    public void AddEgressDns_BoundValues_ReachTheClient()
    {
        using var provider = Build(new()
        {
            ["Dns:Servers:0"] = "127.0.0.1:5353",
            ["Dns:Servers:1"] = "[::1]:5353",
            ["Dns:TimeoutMilliseconds"] = "750",
            ["Dns:Attempts"] = "3",
            ["Dns:UdpPayloadSize"] = "4096",
        });

        var client = Assert.IsType<DnsStubClient>(provider.GetRequiredService<IDnsClient>());

        Assert.Equal(["127.0.0.1:5353", "[::1]:5353"], client.Settings.Servers.Select(s => s.ToString()));
        Assert.Equal(TimeSpan.FromMilliseconds(750), client.Settings.Timeout);
        Assert.Equal(3, client.Settings.Attempts);
        Assert.Equal((ushort)4096, client.Settings.UdpPayloadSize);
    }

    [Fact]
    public void AddEgressDns_RegistersSingletonsAndKeepsExistingTimeProvider()
    {
        var time = new ManualTimeProvider();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
        services.AddEgressDns(Configuration(new() { ["Dns:Servers:0"] = "127.0.0.1" }));
        using var provider = services.BuildServiceProvider();

        var resolver = provider.GetRequiredService<IDnsResolver>();

        Assert.IsType<CachingDnsResolver>(resolver);
        Assert.Same(resolver, provider.GetRequiredService<IDnsResolver>());
        Assert.Same(time, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void AddEgressDns_NoTimeProvider_SystemRegistered()
    {
        using var provider = Build(new() { ["Dns:Servers:0"] = "127.0.0.1" });

        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
    }

    private static ServiceProvider Build(Dictionary<string, string?> values) =>
        new ServiceCollection().AddEgressDns(Configuration(values)).BuildServiceProvider();

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
