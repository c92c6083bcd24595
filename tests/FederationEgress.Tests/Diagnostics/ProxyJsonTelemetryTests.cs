using FederationEgress.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FederationEgress.Tests.Diagnostics;

/// <summary>The shipped proxy.json keeps telemetry valid and off, and leaves the OTEL_* variables in charge.</summary>
public sealed class ProxyJsonTelemetryTests
{
    [Fact]
    public void ProxyJson_TelemetrySection_ValidExportOffAndNoOverrideOfOtelVariables()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(FindProxyJson(), optional: false).Build();
        var options = configuration.GetSection(EgressTelemetryOptions.SectionName).Get<EgressTelemetryOptions>() ?? new EgressTelemetryOptions();

        Assert.True(new EgressTelemetryOptionsValidator(configuration).Validate(Options.DefaultName, options).Succeeded);
        Assert.False(TelemetryExportPlan.Create(options, configuration).IsEnabled);
        Assert.Null(options.OtlpEndpoint);
        Assert.Null(options.ServiceName);
        Assert.Null(options.OtlpProtocol);
        Assert.False(options.PropagateTraceContext);
    }

    private static string FindProxyJson()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "proxy.json");
            if (File.Exists(candidate) && File.Exists(Path.Combine(directory.FullName, "FederationEgress.sln")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("proxy.json next to FederationEgress.sln not found above " + AppContext.BaseDirectory);
    }
}
