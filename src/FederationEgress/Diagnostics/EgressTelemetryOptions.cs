namespace FederationEgress.Diagnostics;

/// <summary>
/// The "Telemetry" configuration section. Every key is optional: the standard
/// <c>OTEL_*</c> environment variables work as documented by OpenTelemetry, and a key set here
/// overrides its <c>OTEL_*</c> counterpart.
/// </summary>
public sealed class EgressTelemetryOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Telemetry";

    /// <summary>Service name used when neither <see cref="ServiceName"/> nor <c>OTEL_SERVICE_NAME</c> is set.</summary>
    public const string DefaultServiceName = "federation-egress";

    /// <summary>
    /// "auto" (default): export when an OTLP endpoint is configured; "true": always export (to the
    /// OTLP default endpoint when none is set); "false": never. <c>OTEL_SDK_DISABLED=true</c> wins over all.
    /// </summary>
    public string Enabled { get; set; } = "auto";

    /// <summary>OTLP collector base URL, e.g. "http://otel-collector:4317"; overrides <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>"grpc" or "http/protobuf"; overrides <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> (OpenTelemetry's default is grpc).</summary>
    public string? OtlpProtocol { get; set; }

    /// <summary>The <c>service.name</c> resource attribute; overrides <c>OTEL_SERVICE_NAME</c>. Default "federation-egress".</summary>
    public string? ServiceName { get; set; }

    /// <summary>
    /// Whether forwarded requests carry the proxy's own <c>traceparent</c>/<c>tracestate</c> to the
    /// destination. Off by default: remote homeservers have no business in the operator's traces.
    /// </summary>
    public bool PropagateTraceContext { get; set; }

    /// <summary>How often metrics are exported; overrides <c>OTEL_METRIC_EXPORT_INTERVAL</c> (OpenTelemetry's default 60000).</summary>
    public int? MetricExportIntervalMilliseconds { get; set; }
}
