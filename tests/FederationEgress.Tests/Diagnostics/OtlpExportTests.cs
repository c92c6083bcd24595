using FederationEgress.Diagnostics;
using FederationEgress.Testing.Otlp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FederationEgress.Tests.Diagnostics;

public sealed class OtlpExportTests
{
    [Theory]
    [InlineData("http/protobuf", "/v1/traces", "HTTP/1.1")]
    [InlineData("grpc", "/opentelemetry.proto.collector.trace.v1.TraceService/Export", "HTTP/2")]
    public async Task Export_EndpointConfigured_SpansArriveWithProtocol(string protocol, string path, string httpVersion)
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var endpoint = protocol == "grpc" ? receiver.GrpcEndpoint : receiver.HttpEndpoint;
        var ids = TraceIds.New();
        await using var host = await TelemetryTestHost.StartAsync(TelemetryTestHost.FastExport(endpoint, protocol), MapResolvingEndpoint);

        await SendAsync(host, ids);

        var resolve = await receiver.WaitForSpanAsync(EgressSpanNames.Resolve, ids.TraceId);
        Assert.Equal(EgressTelemetry.Name, resolve.ScopeName);
        Assert.Equal("example.org", resolve.Attribute(EgressTagNames.ServerName));
        Assert.Contains(receiver.Requests, r => r.Signal == "traces" && r.Protocol == protocol && r.Path == path && r.HttpProtocol == httpVersion);
    }

    [Fact]
    public async Task Export_NoEndpointConfigured_NoSdkCreated()
    {
        await using var host = await TelemetryTestHost.StartAsync(new Dictionary<string, string?>());

        Assert.Null(host.Telemetry.Sdk);
        Assert.False(host.Telemetry.Plan!.IsEnabled);
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", host.Telemetry.Plan.DisabledReason);
    }

    [Theory]
    [InlineData("OTEL_SDK_DISABLED", "true")]
    [InlineData("OTEL_SDK_DISABLED", "TRUE")]
    [InlineData("Telemetry:Enabled", "false")]
    public async Task Export_DisabledWithEndpointConfigured_NoSdkAndNothingExported(string key, string value)
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var configuration = TelemetryTestHost.FastExport(receiver.HttpEndpoint, "http/protobuf");
        configuration[key] = value;
        await using var host = await TelemetryTestHost.StartAsync(configuration, MapResolvingEndpoint);

        await SendAsync(host, TraceIds.New());
        await host.StopAsync();

        Assert.Null(host.Telemetry.Sdk);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task Export_OnlyOtelVariables_EndpointProtocolServiceNameAndResourceAttributesHonoured()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var ids = TraceIds.New();
        await using var host = await TelemetryTestHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.HttpEndpoint.ToString(),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_SERVICE_NAME"] = "edge-egress",
                ["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment=staging,k8s.pod.name=egress-0",
            },
            MapResolvingEndpoint);

        await SendAsync(host, ids);
        await host.StopAsync();

        var span = await receiver.WaitForSpanAsync(EgressSpanNames.Resolve, ids.TraceId);
        Assert.Equal("edge-egress", span.Resource.ServiceName);
        Assert.Equal("staging", span.Resource.Attributes["deployment.environment"]);
        Assert.Equal("egress-0", span.Resource.Attributes["k8s.pod.name"]);
        Assert.Equal("opentelemetry", span.Resource.Attributes["telemetry.sdk.name"]);
        Assert.True(span.Resource.Attributes.ContainsKey("service.instance.id"));
    }

    [Fact]
    public async Task Export_NoServiceNameConfigured_ServiceNameIsFederationEgress()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var ids = TraceIds.New();
        await using var host = await TelemetryTestHost.StartAsync(TelemetryTestHost.FastExport(receiver.HttpEndpoint, "http/protobuf"), MapResolvingEndpoint);

        await SendAsync(host, ids);
        await host.StopAsync();

        var span = await receiver.WaitForSpanAsync(EgressSpanNames.Resolve, ids.TraceId);
        Assert.Equal("federation-egress", span.Resource.ServiceName);
    }

    [Fact]
    public async Task Export_ServiceNameInResourceAttributesOnly_UsedAsServiceName()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var ids = TraceIds.New();
        var configuration = TelemetryTestHost.FastExport(receiver.HttpEndpoint, "http/protobuf");
        configuration["OTEL_RESOURCE_ATTRIBUTES"] = "service.name=from-attributes";
        await using var host = await TelemetryTestHost.StartAsync(configuration, MapResolvingEndpoint);

        await SendAsync(host, ids);
        await host.StopAsync();

        var span = await receiver.WaitForSpanAsync(EgressSpanNames.Resolve, ids.TraceId);
        Assert.Equal("from-attributes", span.Resource.ServiceName);
    }

    [Fact]
    public async Task Export_TelemetryServiceNameAndOtelServiceName_TelemetryKeyWins()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var ids = TraceIds.New();
        var configuration = TelemetryTestHost.FastExport(receiver.HttpEndpoint, "http/protobuf");
        configuration["OTEL_SERVICE_NAME"] = "from-environment";
        configuration["Telemetry:ServiceName"] = "from-section";
        await using var host = await TelemetryTestHost.StartAsync(configuration, MapResolvingEndpoint);

        await SendAsync(host, ids);
        await host.StopAsync();

        var span = await receiver.WaitForSpanAsync(EgressSpanNames.Resolve, ids.TraceId);
        Assert.Equal("from-section", span.Resource.ServiceName);
    }

    [Fact]
    public async Task Stop_SpansStillBatched_FlushedBeforeStopReturns()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var ids = TraceIds.New();
        var configuration = TelemetryTestHost.FastExport(receiver.HttpEndpoint, "http/protobuf");
        configuration["OTEL_BSP_SCHEDULE_DELAY"] = "600000"; // nothing leaves on the timer during the test
        await using var host = await TelemetryTestHost.StartAsync(configuration, MapResolvingEndpoint);

        await SendAsync(host, ids);
        Assert.DoesNotContain(receiver.Spans, s => s.TraceId == ids.TraceId);
        await host.StopAsync();

        // No waiting: the hosted service flushed synchronously while the host stopped.
        Assert.Contains(receiver.Spans, s => s.TraceId == ids.TraceId && s.Name == EgressSpanNames.Resolve);
        Assert.Null(host.Telemetry.Sdk);
    }

    [Fact]
    public async Task Export_OnlyTracesEndpoint_TracesExportedMetricsNot()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var ids = TraceIds.New();
        await using var host = await TelemetryTestHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = new Uri(receiver.HttpEndpoint, "/v1/traces").ToString(),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "100",
            },
            MapResolvingEndpoint);

        await SendAsync(host, ids);
        await host.StopAsync();

        Assert.True(host.Telemetry.Plan!.ExportTraces);
        Assert.False(host.Telemetry.Plan.ExportMetrics);
        Assert.Contains(receiver.Spans, s => s.TraceId == ids.TraceId);
        Assert.DoesNotContain(receiver.Requests, r => r.Signal == "metrics");
    }

    [Fact]
    public async Task Request_Failing5xx_IncomingSpanMarkedErrorKeepingErrorType()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var ids = TraceIds.New();
        await using var host = await TelemetryTestHost.StartAsync(
            TelemetryTestHost.FastExport(receiver.HttpEndpoint, "http/protobuf"),
            app => app.MapGet("/{serverName}/{**rest}", (HttpContext context) =>
            {
                context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpActivityFeature>()!.Activity
                    .SetEgressError(new Errors.EgressError(Errors.EgressErrorKind.DnsFailed, "dns", "SERVFAIL for _matrix-fed._tcp.example.org"));
                return Results.StatusCode(502);
            }));

        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/example.org/_matrix/key/v2/server");
        request.Headers.TryAddWithoutValidation("traceparent", ids.TraceParent);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        await host.StopAsync();

        var incoming = await receiver.WaitForSpanAsync(s => s.TraceId == ids.TraceId && s.Kind == OtlpSpanKind.Server);
        Assert.Equal(OtlpStatusCode.Error, incoming.StatusCode);
        Assert.Equal("dns: SERVFAIL for _matrix-fed._tcp.example.org", incoming.StatusMessage);
        Assert.Equal("dns_failed", incoming.Attribute(EgressTagNames.ErrorType));
        Assert.Equal(502L, incoming.Attribute(EgressTagNames.HttpResponseStatusCode));
    }

    [Fact]
    public async Task Export_ExporterOwnHttpCalls_NotTraced()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var ids = TraceIds.New();
        await using var host = await TelemetryTestHost.StartAsync(TelemetryTestHost.FastExport(receiver.HttpEndpoint, "http/protobuf"), MapResolvingEndpoint);

        // Two rounds: spans of the first export call would be exported by the second.
        await SendAsync(host, ids);
        await receiver.WaitForSpanAsync(EgressSpanNames.Resolve, ids.TraceId);
        await SendAsync(host, TraceIds.New());
        await host.StopAsync();

        var port = receiver.HttpEndpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.DoesNotContain(receiver.Spans, s => s.Kind == OtlpSpanKind.Client && Equals(s.Attribute(EgressTagNames.ServerPort)?.ToString(), port));
    }

    /// <summary>Maps a catch-all endpoint that runs a resolution span, like the proxy does.</summary>
    internal static void MapResolvingEndpoint(WebApplication app) =>
        app.MapGet("/{serverName}/{**rest}", (string serverName) =>
        {
            using var resolve = EgressTelemetry.ActivitySource.StartActivity(EgressSpanNames.Resolve);
            resolve?.SetTag(EgressTagNames.ServerName, serverName);
            resolve.SetCacheOutcome(EgressTagValues.CacheMiss);
            return Results.Text("ok");
        });

    internal static async Task SendAsync(TelemetryTestHost host, TraceIds ids)
    {
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/example.org/_matrix/federation/v1/version");
        request.Headers.TryAddWithoutValidation("traceparent", ids.TraceParent);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
