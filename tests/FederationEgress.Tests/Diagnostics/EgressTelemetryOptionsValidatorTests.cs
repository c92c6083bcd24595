using FederationEgress.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FederationEgress.Tests.Diagnostics;

public sealed class EgressTelemetryOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds() =>
        Assert.True(Validate(new EgressTelemetryOptions()).Succeeded);

    [Theory]
    [InlineData("auto")]
    [InlineData("TRUE")]
    [InlineData("False")]
    public void Validate_EnabledModes_Succeed(string mode) =>
        Assert.True(Validate(new EgressTelemetryOptions { Enabled = mode }).Succeeded);

    [Theory]
    [InlineData("yes", "Telemetry:Enabled")]
    [InlineData("", "Telemetry:Enabled")]
    public void Validate_BadEnabled_NamesKey(string mode, string key) =>
        Assert.Contains(key, Validate(new EgressTelemetryOptions { Enabled = mode }).FailureMessage);

    [Theory]
    [InlineData("collector:4317")]
    [InlineData("/relative")]
    [InlineData("ftp://collector")]
    public void Validate_BadOtlpEndpoint_NamesKey(string endpoint) =>
        Assert.Contains("Telemetry:OtlpEndpoint must be an absolute http:// or https:// URL", Validate(new EgressTelemetryOptions { OtlpEndpoint = endpoint }).FailureMessage);

    [Fact]
    public void Validate_BadProtocol_NamesKey() =>
        Assert.Contains("Telemetry:OtlpProtocol must be grpc or http/protobuf", Validate(new EgressTelemetryOptions { OtlpProtocol = "http/json" }).FailureMessage);

    [Fact]
    public void Validate_BlankServiceName_NamesKey() =>
        Assert.Contains("Telemetry:ServiceName", Validate(new EgressTelemetryOptions { ServiceName = "  " }).FailureMessage);

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Validate_NonPositiveExportInterval_NamesKey(int interval) =>
        Assert.Contains("Telemetry:MetricExportIntervalMilliseconds must be > 0", Validate(new EgressTelemetryOptions { MetricExportIntervalMilliseconds = interval }).FailureMessage);

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317")]
    [InlineData("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "not a url")]
    [InlineData("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "udp://x")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "thrift")]
    [InlineData("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/json")]
    public void Validate_BadOtelVariable_NamesVariable(string variable, string value)
    {
        var result = Validate(new EgressTelemetryOptions(), (variable, value));

        Assert.False(result.Succeeded);
        Assert.StartsWith(variable + " must", result.FailureMessage);
    }

    [Fact]
    public async Task Start_InvalidTelemetrySection_HostFailsNamingKey()
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TelemetryTestHost.StartAsync(new Dictionary<string, string?> { ["Telemetry:OtlpProtocol"] = "udp" }));

        Assert.Contains("Telemetry:OtlpProtocol", exception.Message);
    }

    private static ValidateOptionsResult Validate(EgressTelemetryOptions options, params (string Key, string Value)[] variables)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(variables.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();
        return new EgressTelemetryOptionsValidator(configuration).Validate(Options.DefaultName, options);
    }
}
