using FederationEgress.Diagnostics;
using FederationEgress.Testing.Otlp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FederationEgress.Tests.Diagnostics;

public sealed class TelemetryLifetimeTests
{
    [Fact]
    public async Task AddEgressTelemetry_HostedServices_TelemetryStartsBeforeAndStopsAfterWebServer()
    {
        await using var host = await TelemetryTestHost.StartAsync(new Dictionary<string, string?>());

        var order = host.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).ToList();

        // Hosted services start in registration order and stop in reverse.
        Assert.True(order.IndexOf(nameof(EgressTelemetryService)) < order.IndexOf("GenericWebHostService"), string.Join(", ", order));
    }

    [Fact]
    public void AddEgressTelemetry_CalledTwice_OneTelemetryService()
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection();

        services.AddEgressTelemetry(configuration).AddEgressTelemetry(configuration);

        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
        Assert.Single(services, d => d.ServiceType == typeof(EgressMetrics));
    }

    [Fact]
    public async Task DisposeAsync_WithoutStop_FlushesPendingSpans()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var configuration = TelemetryTestHost.FastExport(receiver.HttpEndpoint, "http/protobuf");
        configuration["OTEL_BSP_SCHEDULE_DELAY"] = "600000";
        var options = Microsoft.Extensions.Options.Options.Create(new EgressTelemetryOptions { OtlpEndpoint = receiver.HttpEndpoint.ToString(), OtlpProtocol = "http/protobuf" });
        var service = new EgressTelemetryService(
            options,
            new ConfigurationBuilder().AddInMemoryCollection(configuration).Build(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<EgressTelemetryService>.Instance);
        await service.StartAsync(TestContext.Current.CancellationToken);
        var ids = TraceIds.New();

        using (var parent = new System.Diagnostics.Activity("parent").SetParentId(System.Diagnostics.ActivityTraceId.CreateFromString(ids.TraceId), System.Diagnostics.ActivitySpanId.CreateFromString(ids.ParentSpanId), System.Diagnostics.ActivityTraceFlags.Recorded).Start())
        using (EgressTelemetry.ActivitySource.StartActivity(EgressSpanNames.Resolve))
        {
        }

        await service.DisposeAsync();

        Assert.Contains(receiver.Spans, s => s.TraceId == ids.TraceId && s.Name == EgressSpanNames.Resolve);
        Assert.Null(service.Sdk);
    }
}
