using Microsoft.Extensions.Configuration;

namespace FederationEgress.Diagnostics;

/// <summary>
/// What to export, decided once at start from the "Telemetry" section and the <c>OTEL_*</c>
/// variables: which signals, and the configuration view handed to the OpenTelemetry SDK (the
/// <c>OTEL_*</c> keys with the "Telemetry" overrides applied on top).
/// </summary>
internal sealed class TelemetryExportPlan
{
    private TelemetryExportPlan(bool traces, bool metrics, string? disabledReason, IConfiguration configuration)
    {
        ExportTraces = traces;
        ExportMetrics = metrics;
        DisabledReason = disabledReason;
        Configuration = configuration;
    }

    /// <summary>Whether spans are exported.</summary>
    public bool ExportTraces { get; }

    /// <summary>Whether metrics are exported.</summary>
    public bool ExportMetrics { get; }

    /// <summary>True when at least one signal is exported, i.e. an SDK must be created.</summary>
    public bool IsEnabled => ExportTraces || ExportMetrics;

    /// <summary>Why nothing is exported, for the start-up log line; null when enabled.</summary>
    public string? DisabledReason { get; }

    /// <summary>The configuration the SDK reads its <c>OTEL_*</c> settings from.</summary>
    public IConfiguration Configuration { get; }

    /// <summary>Effective OTLP protocol of the traces exporter, for the start-up log line.</summary>
    public string Protocol => Configuration[OtelEnvironmentVariables.Protocol] is { Length: > 0 } p ? p : OtelEnvironmentVariables.DefaultProtocol;

    /// <summary>Effective base endpoint, for the start-up log line ("default" when the exporter's default applies).</summary>
    public string Endpoint =>
        Configuration[OtelEnvironmentVariables.Endpoint] is { Length: > 0 } e ? e
        : Configuration[OtelEnvironmentVariables.TracesEndpoint] ?? Configuration[OtelEnvironmentVariables.MetricsEndpoint] ?? "default";

    /// <summary>Effective service name, for the start-up log line.</summary>
    public string ServiceName => Configuration[OtelEnvironmentVariables.ServiceName] is { Length: > 0 } s ? s : EgressTelemetryOptions.DefaultServiceName;

    /// <summary>Decides what to export. Expects validated options.</summary>
    public static TelemetryExportPlan Create(EgressTelemetryOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);

        var effective = Overlay(options, configuration);
        var mode = options.Enabled.Trim().ToLowerInvariant();
        if (mode == "false")
        {
            return Disabled("Telemetry:Enabled is false", effective);
        }

        // The specification's kill switch: only the exact value "true" (any case) disables.
        if (string.Equals(effective[OtelEnvironmentVariables.SdkDisabled]?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            return Disabled($"{OtelEnvironmentVariables.SdkDisabled} is true", effective);
        }

        var forced = mode == "true";
        var general = HasValue(effective, OtelEnvironmentVariables.Endpoint);
        var traces = !IsNone(effective, OtelEnvironmentVariables.TracesExporter)
            && (forced || general || HasValue(effective, OtelEnvironmentVariables.TracesEndpoint));
        var metrics = !IsNone(effective, OtelEnvironmentVariables.MetricsExporter)
            && (forced || general || HasValue(effective, OtelEnvironmentVariables.MetricsEndpoint));

        if (!traces && !metrics)
        {
            var reason = forced || general
                ? $"{OtelEnvironmentVariables.TracesExporter} and {OtelEnvironmentVariables.MetricsExporter} are none"
                : $"no OTLP endpoint configured (set {OtelEnvironmentVariables.Endpoint} or Telemetry:OtlpEndpoint)";
            return Disabled(reason, effective);
        }

        return new TelemetryExportPlan(traces, metrics, null, effective);
    }

    private static TelemetryExportPlan Disabled(string reason, IConfiguration effective) => new(false, false, reason, effective);

    private static IConfiguration Overlay(EgressTelemetryOptions options, IConfiguration configuration)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint))
        {
            overrides[OtelEnvironmentVariables.Endpoint] = options.OtlpEndpoint.Trim();
        }

        // The exporter only recognises the lower-case spellings; validation accepts any case.
        foreach (var key in (string[])[OtelEnvironmentVariables.Protocol, OtelEnvironmentVariables.TracesProtocol, OtelEnvironmentVariables.MetricsProtocol])
        {
            if (configuration[key] is { } protocol && !string.IsNullOrWhiteSpace(protocol))
            {
                overrides[key] = protocol.Trim().ToLowerInvariant();
            }
        }

        if (!string.IsNullOrWhiteSpace(options.OtlpProtocol))
        {
            overrides[OtelEnvironmentVariables.Protocol] = options.OtlpProtocol.Trim().ToLowerInvariant();
        }

        if (!string.IsNullOrWhiteSpace(options.ServiceName))
        {
            overrides[OtelEnvironmentVariables.ServiceName] = options.ServiceName.Trim();
        }

        if (options.MetricExportIntervalMilliseconds is { } interval)
        {
            overrides[OtelEnvironmentVariables.MetricExportInterval] = interval.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new ConfigurationBuilder()
            .AddConfiguration(configuration, shouldDisposeConfiguration: false)
            .AddInMemoryCollection(overrides)
            .Build();
    }

    private static bool HasValue(IConfiguration configuration, string key) => !string.IsNullOrWhiteSpace(configuration[key]);

    private static bool IsNone(IConfiguration configuration, string key) =>
        string.Equals(configuration[key]?.Trim(), "none", StringComparison.OrdinalIgnoreCase);
}
