using FederationEgress.FrontEnds.Connect;
using FederationEgress.FrontEnds.Synapse;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FederationEgress.Tests.FrontEnds.Synapse;

/// <summary>Options binding and validation of both front ends; failures name the key.</summary>
public sealed class SynapseOptionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddEgressSynapseFrontEnd(configuration);
        services.AddEgressConnectFrontEnd(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Defaults_Bound_MatchDocumentedValues()
    {
        using var provider = Build([]);

        var synapse = provider.GetRequiredService<IOptions<SynapseFrontEndOptions>>().Value;
        var connect = provider.GetRequiredService<IOptions<ConnectFrontEndOptions>>().Value;

        Assert.Equal((false, "127.0.0.1", 8011, 90), (synapse.Enabled, synapse.Address, synapse.Port, synapse.RequestTimeoutSeconds));
        Assert.Equal((false, "127.0.0.1", 8012), (connect.Enabled, connect.Address, connect.Port));
        Assert.Equal([443, 8448], connect.EffectiveAllowedPorts);
    }

    [Fact]
    public void ConfiguredAllowedPorts_ReplaceDefaults()
    {
        using var provider = Build(new() { ["Connect:AllowedPorts:0"] = "8443" });

        Assert.Equal([8443], provider.GetRequiredService<IOptions<ConnectFrontEndOptions>>().Value.EffectiveAllowedPorts);
    }

    [Theory]
    [InlineData("Synapse:Enabled", "true", "Synapse:SharedSecret (or Synapse:SharedSecretFile) must be set when Synapse:Enabled is true")]
    [InlineData("Synapse:RequestTimeoutSeconds", "0", "Synapse:RequestTimeoutSeconds must be > 0")]
    public void InvalidSynapseOptions_FailureNamesKey(string key, string value, string message)
    {
        using var provider = Build(new() { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SynapseFrontEndOptions>>().Value);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SynapseSecretFileMissing_FailureNamesKey()
    {
        using var provider = Build(new() { ["Synapse:Enabled"] = "true", ["Synapse:SharedSecretFile"] = "/nonexistent/secret" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SynapseFrontEndOptions>>().Value);

        Assert.Contains("Synapse:SharedSecretFile '/nonexistent/secret' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SynapseSecretFile_TrimmedAndUsed()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fe-secret-{Guid.NewGuid():N}");
        File.WriteAllText(path, "from_file\n");
        try
        {
            using var provider = Build(new() { ["Synapse:Enabled"] = "true", ["Synapse:SharedSecretFile"] = path });
            var authenticator = provider.GetRequiredService<SynapseProxyAuthenticator>();

            Assert.Equal(SynapseAuthResult.Authorized, authenticator.Check("Bearer from_file"));
            Assert.Equal(SynapseAuthResult.Invalid, authenticator.Check("Bearer from_file\n"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("Connect:Port", "0", "Connect:Port must be between 1 and 65535")]
    [InlineData("Connect:AllowedPorts:0", "70000", "Connect:AllowedPorts must list ports between 1 and 65535")]
    [InlineData("Connect:Username", "user", "Connect:Username and Connect:Password must be set together")]
    [InlineData("Connect:IdleTimeoutSeconds", "0", "Connect:IdleTimeoutSeconds must be > 0")]
    [InlineData("Connect:ConnectTimeoutSeconds", "-1", "Connect:ConnectTimeoutSeconds must be > 0")]
    [InlineData("Connect:Address", "localhost", "Connect:Address 'localhost' is not an IP address")]
    public void InvalidConnectOptions_FailureNamesKey(string key, string value, string message)
    {
        using var provider = Build(new() { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ConnectFrontEndOptions>>().Value);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
