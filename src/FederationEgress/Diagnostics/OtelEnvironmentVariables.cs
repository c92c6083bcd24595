namespace FederationEgress.Diagnostics;

/// <summary>
/// The standard OpenTelemetry environment variables the proxy reads or hands to the SDK. They are
/// read through <see cref="Microsoft.Extensions.Configuration.IConfiguration"/>, which includes the
/// process environment in the app (unprefixed), so a key of the same name in any configuration
/// source works too.
/// </summary>
internal static class OtelEnvironmentVariables
{
    public const string SdkDisabled = "OTEL_SDK_DISABLED";
    public const string Endpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string TracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    public const string MetricsEndpoint = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT";
    public const string Protocol = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public const string TracesProtocol = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";
    public const string MetricsProtocol = "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL";
    public const string ServiceName = "OTEL_SERVICE_NAME";
    public const string ResourceAttributes = "OTEL_RESOURCE_ATTRIBUTES";
    public const string MetricExportInterval = "OTEL_METRIC_EXPORT_INTERVAL";
    public const string TracesExporter = "OTEL_TRACES_EXPORTER";
    public const string MetricsExporter = "OTEL_METRICS_EXPORTER";

    /// <summary>The protocol the OTLP exporter uses when none is configured.</summary>
    public const string DefaultProtocol = "grpc";

    /// <summary>Values accepted for the protocol keys (the .NET exporter has no http/json).</summary>
    public static readonly IReadOnlyList<string> Protocols = ["grpc", "http/protobuf"];
}
