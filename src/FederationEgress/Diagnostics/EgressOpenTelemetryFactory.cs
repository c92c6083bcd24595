using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace FederationEgress.Diagnostics;

/// <summary>
/// Builds the OpenTelemetry SDK (tracer and meter providers with the OTLP exporter) from a
/// <see cref="TelemetryExportPlan"/>. The core package's <see cref="OpenTelemetrySdk"/> stands in
/// for OpenTelemetry.Extensions.Hosting; <see cref="EgressTelemetryService"/> owns its lifetime.
/// </summary>
internal static class EgressOpenTelemetryFactory
{
    /// <summary>Spans exported: the proxy's own, ASP.NET Core's incoming request, HttpClient's outgoing request.</summary>
    internal static readonly string[] ActivitySources =
        [EgressTelemetry.Name, EgressSpanNames.AspNetCoreSource, EgressSpanNames.HttpClientSource];

    /// <summary>Meters exported: the proxy's, ASP.NET Core's request and Kestrel connection metrics, HttpClient's, and the runtime's.</summary>
    internal static readonly string[] Meters =
        [EgressTelemetry.Name, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", HttpClientMeter, "System.Runtime"];

    private const string HttpClientMeter = "System.Net.Http";

    /// <summary>
    /// HttpClient metric tags kept. HttpClient tags its metrics with <c>server.address</c>/<c>server.port</c>,
    /// which for a federation proxy is every destination on the network: unbounded cardinality, so they are dropped.
    /// </summary>
    private static readonly string[] HttpClientMetricTags =
        ["http.request.method", "http.response.status_code", "error.type", "network.protocol.version", "url.scheme", "http.connection.state"];

    /// <summary>Creates the SDK; providers subscribe immediately.</summary>
    public static OpenTelemetrySdk Create(TelemetryExportPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!plan.IsEnabled)
        {
            throw new InvalidOperationException($"Telemetry export is disabled: {plan.DisabledReason}");
        }

        var version = typeof(EgressTelemetry).Assembly.GetName().Version?.ToString();
        return OpenTelemetrySdk.Create(builder =>
        {
            // The SDK reads every OTEL_* setting (endpoint, protocol, headers, timeouts, service name,
            // resource attributes, export interval, sampler) from this view instead of the raw process
            // environment, so the "Telemetry" overrides apply and tests stay isolated.
            builder.Services.AddSingleton(plan.Configuration);

            builder.ConfigureResource(resource => resource
                .Clear()
                .AddService(EgressTelemetryOptions.DefaultServiceName, serviceVersion: version)
                .AddTelemetrySdk()
                // Last, so OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME override the defaults above.
                .AddEnvironmentVariableDetector());

            // UseOtlpExporter switches every signal on; a signal that is not exported simply subscribes to nothing.
            builder.WithTracing(tracing =>
            {
                if (plan.ExportTraces)
                {
                    tracing.AddSource(ActivitySources);
                }
            });

            builder.WithMetrics(metrics =>
            {
                if (plan.ExportMetrics)
                {
                    metrics.AddMeter(Meters);
                    metrics.AddView(DropDestinationTags);
                }
            });

            builder.UseOtlpExporter();
        });
    }

    private static MetricStreamConfiguration? DropDestinationTags(Instrument instrument) =>
        instrument.Meter.Name == HttpClientMeter
            ? new MetricStreamConfiguration { TagKeys = HttpClientMetricTags }
            : null;
}
