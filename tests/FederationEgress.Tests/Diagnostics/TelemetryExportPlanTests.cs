using FederationEgress.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace FederationEgress.Tests.Diagnostics;

public sealed class TelemetryExportPlanTests
{
    [Fact]
    public void Create_NothingConfigured_DisabledNamingTheVariable()
    {
        var plan = Plan(new EgressTelemetryOptions());

        Assert.False(plan.IsEnabled);
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", plan.DisabledReason);
        Assert.Contains("Telemetry:OtlpEndpoint", plan.DisabledReason);
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", true, true)]
    [InlineData("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", true, false)]
    [InlineData("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", false, true)]
    public void Create_EndpointVariable_SignalsWithAnEndpointExported(string variable, bool traces, bool metrics)
    {
        var plan = Plan(new EgressTelemetryOptions(), (variable, "http://collector:4318"));

        Assert.Equal(traces, plan.ExportTraces);
        Assert.Equal(metrics, plan.ExportMetrics);
        Assert.Null(plan.DisabledReason);
    }

    [Fact]
    public void Create_TelemetryOtlpEndpoint_EnabledAndOverridesVariable()
    {
        var plan = Plan(new EgressTelemetryOptions { OtlpEndpoint = "http://mine:4317" }, ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://theirs:4317"));

        Assert.True(plan.ExportTraces && plan.ExportMetrics);
        Assert.Equal("http://mine:4317", plan.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("http://mine:4317", plan.Endpoint);
    }

    [Fact]
    public void Create_EnabledTrueWithoutEndpoint_ExportsToExporterDefault()
    {
        var plan = Plan(new EgressTelemetryOptions { Enabled = "TRUE" });

        Assert.True(plan.ExportTraces && plan.ExportMetrics);
        Assert.Equal("default", plan.Endpoint);
        Assert.Equal("grpc", plan.Protocol);
    }

    [Theory]
    [InlineData("true")]
    [InlineData(" True ")]
    public void Create_SdkDisabled_WinsOverEnabledTrue(string value)
    {
        var plan = Plan(new EgressTelemetryOptions { Enabled = "true", OtlpEndpoint = "http://c:4317" }, ("OTEL_SDK_DISABLED", value));

        Assert.False(plan.IsEnabled);
        Assert.Equal("OTEL_SDK_DISABLED is true", plan.DisabledReason);
    }

    [Theory]
    [InlineData("false")]
    [InlineData("1")]
    [InlineData("")]
    public void Create_SdkDisabledNotExactlyTrue_Ignored(string value)
    {
        var plan = Plan(new EgressTelemetryOptions(), ("OTEL_SDK_DISABLED", value), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"));

        Assert.True(plan.IsEnabled);
    }

    [Fact]
    public void Create_EnabledFalse_DisabledEvenWithEndpoint()
    {
        var plan = Plan(new EgressTelemetryOptions { Enabled = "false" }, ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"));

        Assert.False(plan.IsEnabled);
        Assert.Equal("Telemetry:Enabled is false", plan.DisabledReason);
    }

    [Fact]
    public void Create_TracesExporterNone_OnlyMetrics()
    {
        var plan = Plan(new EgressTelemetryOptions(), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"), ("OTEL_TRACES_EXPORTER", "none"));

        Assert.False(plan.ExportTraces);
        Assert.True(plan.ExportMetrics);
    }

    [Fact]
    public void Create_BothExportersNone_DisabledSayingSo()
    {
        var plan = Plan(
            new EgressTelemetryOptions(),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"), ("OTEL_TRACES_EXPORTER", "none"), ("OTEL_METRICS_EXPORTER", "NONE"));

        Assert.False(plan.IsEnabled);
        Assert.Contains("none", plan.DisabledReason);
    }

    [Fact]
    public void Create_TelemetryKeys_OverlaidAsOtelVariablesForTheSdk()
    {
        var plan = Plan(
            new EgressTelemetryOptions { OtlpEndpoint = "http://c:4318", OtlpProtocol = "HTTP/Protobuf", ServiceName = " egress-eu ", MetricExportIntervalMilliseconds = 15000 },
            ("OTEL_SERVICE_NAME", "other"),
            ("OTEL_RESOURCE_ATTRIBUTES", "k8s.namespace.name=matrix"));

        Assert.Equal("http/protobuf", plan.Configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.Equal("egress-eu", plan.Configuration["OTEL_SERVICE_NAME"]);
        Assert.Equal("15000", plan.Configuration["OTEL_METRIC_EXPORT_INTERVAL"]);
        Assert.Equal("k8s.namespace.name=matrix", plan.Configuration["OTEL_RESOURCE_ATTRIBUTES"]);
        Assert.Equal("egress-eu", plan.ServiceName);
    }

    [Fact]
    public void Create_UpperCaseProtocolVariable_LowerCasedForTheExporter()
    {
        var plan = Plan(new EgressTelemetryOptions(), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "HTTP/PROTOBUF"));

        Assert.Equal("http/protobuf", plan.Configuration["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"]);
    }

    private static TelemetryExportPlan Plan(EgressTelemetryOptions options, params (string Key, string Value)[] variables) =>
        TelemetryExportPlan.Create(options, new ConfigurationBuilder()
            .AddInMemoryCollection(variables.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build());
}
