using FederationEgress.Diagnostics;
using FederationEgress.Errors;
using FederationEgress.Testing.Otlp;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.Tests.Diagnostics;

/// <summary>
/// Metrics leave the process over OTLP with the documented names, units, kinds and values. The
/// product meter is process-wide, so each test tags its measurements with its own front-end name.
/// </summary>
public sealed class MetricsExportTests
{
    [Theory]
    [InlineData("http/protobuf")]
    [InlineData("grpc")]
    public async Task Metrics_RecordedThroughEgressMetrics_ExportedWithNamesUnitsAndValues(string protocol)
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var endpoint = protocol == "grpc" ? receiver.GrpcEndpoint : receiver.HttpEndpoint;
        await using var host = await TelemetryTestHost.StartAsync(TelemetryTestHost.FastExport(endpoint, protocol));
        var metrics = host.Services.GetRequiredService<EgressMetrics>();
        var frontEnd = "test-" + Guid.NewGuid().ToString("N");

        metrics.RequestStarted(frontEnd);
        metrics.RequestStarted(frontEnd);
        metrics.RequestEnded(frontEnd);
        for (var i = 0; i < 3; i++)
        {
            metrics.UpstreamRequestCompleted("PUT", 200, null, frontEnd, TimeSpan.FromMilliseconds(30));
        }

        metrics.UpstreamRequestCompleted("PUT", null, EgressErrorKind.TlsFailed, frontEnd, TimeSpan.FromMilliseconds(8));
        await host.StopAsync();

        var active = await receiver.WaitForMetricAsync(EgressMetricNames.ActiveRequests, m => Point(m, frontEnd) is not null);
        Assert.Equal(OtlpMetricKind.Sum, active.Kind);
        Assert.False(active.IsMonotonic);
        Assert.Equal("{request}", active.Unit);
        Assert.Equal(EgressTelemetry.Name, active.ScopeName);
        Assert.Equal(1, Point(active, frontEnd)!.Value);

        var requests = await receiver.WaitForMetricAsync(EgressMetricNames.UpstreamRequests, m => Point(m, frontEnd) is not null);
        Assert.True(requests.IsMonotonic);
        Assert.Equal(3, Point(requests, frontEnd, (EgressTagNames.StatusClass, "2xx"))!.Value);
        var failed = Point(requests, frontEnd, (EgressTagNames.StatusClass, "none"))!;
        Assert.Equal(1, failed.Value);
        Assert.Equal("tls_failed", failed.Attribute(EgressTagNames.ErrorType));
        Assert.Equal("failure", failed.Attribute(EgressTagNames.Outcome));

        var duration = await receiver.WaitForMetricAsync(EgressMetricNames.UpstreamRequestDuration, m => Point(m, frontEnd) is not null);
        Assert.Equal(OtlpMetricKind.Histogram, duration.Kind);
        Assert.Equal("s", duration.Unit);
        var histogram = Point(duration, frontEnd, (EgressTagNames.StatusClass, "2xx"))!;
        Assert.Equal(3UL, histogram.Count);
        Assert.Equal(0.09, histogram.Sum!.Value, 6);
        Assert.Equal(EgressMetrics.DurationBuckets, histogram.ExplicitBounds);
        Assert.Equal(3UL, histogram.BucketCounts[Array.IndexOf(EgressMetrics.DurationBuckets.ToArray(), 0.05)]);
    }

    [Fact]
    public async Task Metrics_FrameworkHttpMetrics_ExportedWithoutDestinationAddresses()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var host = await TelemetryTestHost.StartAsync(
            TelemetryTestHost.FastExport(receiver.HttpEndpoint, "http/protobuf"), OtlpExportTests.MapResolvingEndpoint);

        await OtlpExportTests.SendAsync(host, TraceIds.New());
        await host.StopAsync();

        var server = await receiver.WaitForMetricAsync("http.server.request.duration", m => m.DataPoints.Any(p => Equals(p.Attribute("http.route"), "/{serverName}/{**rest}")));
        Assert.Equal("s", server.Unit);
        var client = await receiver.WaitForMetricAsync("http.client.request.duration");
        Assert.All(receiver.Metrics.Where(m => m.ScopeName == "System.Net.Http").SelectMany(m => m.DataPoints), p =>
        {
            Assert.Null(p.Attribute(EgressTagNames.ServerAddress));
            Assert.Null(p.Attribute(EgressTagNames.ServerPort));
        });
        Assert.NotEmpty(client.DataPoints);
    }

    private static OtlpDataPoint? Point(OtlpMetric metric, string frontEnd, params (string Key, object? Value)[] more) =>
        metric.DataPoints.LastOrDefault(p => p.HasAttributes([(EgressTagNames.FrontEnd, frontEnd), .. more]));
}
