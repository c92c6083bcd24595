using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using FederationEgress.Diagnostics;
using FederationEgress.Testing.Otlp;

namespace FederationEgress.Tests.Diagnostics;

/// <summary>
/// Telemetry of the REAL app (Program.BuildApp) exporting to an in-test OTLP receiver, for requests
/// forwarded to a loopback "remote homeserver" found through well-known delegation.
/// </summary>
public sealed class EndToEndTelemetryTests
{
    [Fact]
    public async Task ForwardedRequest_ProducesOneTraceWithIncomingResolveAndOutgoingSpans()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var world = FederationWorld.Create();
        var wellKnownServer = await world.WellKnownAsync("trace.test", 1, "fed.trace.test:8449");
        world.Dns.AddA("fed.trace.test", world.Ip(2));
        var remote = await world.ServerAsync(2, 8449, "fed.trace.test");
        await world.StartAppAsync(ExportTo(receiver));
        var ids = TraceIds.New();

        using (var response = await PutAsync(world, "trace.test", ids))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The remote test server is an ASP.NET Core app in this process too: its own server span
        // (continuing the homeserver's traceparent, forwarded as received) is in the trace as well.
        var spans = await receiver.WaitForSpansAsync(all =>
            all.FirstOrDefault(s => s.TraceId == ids.TraceId && s.Name == EgressSpanNames.Resolve) is { } r
            && all.Any(s => s.SpanId == r.ParentSpanId)
            && all.Any(s => s.TraceId == ids.TraceId && s.ParentSpanId == r.ParentSpanId && s.ScopeName == EgressSpanNames.HttpClientSource));
        var trace = spans.Where(s => s.TraceId == ids.TraceId).ToList();
        var resolve = Assert.Single(trace, s => s.Name == EgressSpanNames.Resolve);

        // The homeserver's trace continues: the incoming span's parent is the traceparent's span.
        var incoming = Assert.Single(trace, s => s.SpanId == resolve.ParentSpanId);
        Assert.Equal(OtlpSpanKind.Server, incoming.Kind);
        Assert.Equal(EgressSpanNames.AspNetCoreSource, incoming.ScopeName);
        Assert.Equal(ids.ParentSpanId, incoming.ParentSpanId);
        Assert.Equal("PUT", incoming.Attribute(EgressTagNames.HttpRequestMethod));
        Assert.Equal(200L, incoming.Attribute(EgressTagNames.HttpResponseStatusCode));

        Assert.Equal("trace.test", resolve.Attribute(EgressTagNames.ServerName));
        Assert.Equal("well_known_explicit_port", resolve.Attribute(EgressTagNames.DiscoveryStep));
        Assert.Equal("fed.trace.test:8449", resolve.Attribute(EgressTagNames.DelegatedName));
        Assert.Equal("fed.trace.test:8449", resolve.Attribute(EgressTagNames.HostHeader));
        Assert.Equal("fed.trace.test", resolve.Attribute(EgressTagNames.TlsName));
        Assert.Equal("miss", resolve.Attribute(EgressTagNames.Cache));

        var wellKnown = Assert.Single(trace, s => s.Name == EgressSpanNames.WellKnown);
        Assert.Equal(resolve.SpanId, wellKnown.ParentSpanId);

        var outgoing = Assert.Single(trace, s => s.ScopeName == EgressSpanNames.HttpClientSource && s.ParentSpanId == incoming.SpanId);
        Assert.Equal(OtlpSpanKind.Client, outgoing.Kind);
        Assert.Equal("PUT", outgoing.Attribute(EgressTagNames.HttpRequestMethod));
        Assert.Equal(200L, outgoing.Attribute(EgressTagNames.HttpResponseStatusCode));
        Assert.Equal("fed.trace.test", outgoing.Attribute(EgressTagNames.ServerAddress));

        // By default the proxy's own trace context is not sent: the remote gets the homeserver's
        // traceparent byte-for-byte (a forwarded header), and the well-known fetch none at all.
        var received = Assert.Single(remote.Requests);
        Assert.Equal(ids.TraceParent, received.Headers["traceparent"]);
        Assert.DoesNotContain("traceparent", Assert.Single(wellKnownServer.Requests).Headers.Keys);
    }

    [Fact]
    public async Task ResolutionMetrics_ChangeAcrossMissHitAndFailure()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var world = FederationWorld.Create();
        world.Dns.AddA("metrics.trace.test", world.Ip(3));
        await world.ServerAsync(3, 8449, "metrics.trace.test");
        await world.StartAppAsync(ExportTo(receiver));

        // Other tests record on the same process-wide meter: keep only measurements made inside this
        // test's traces (the resolution runs in the request's context).
        var mine = new ConcurrentDictionary<ActivityTraceId, bool>();
        var resolutions = new ConcurrentQueue<IReadOnlyDictionary<string, object?>>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, EgressTelemetry.Meter) && instrument.Name == EgressMetricNames.Resolutions)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            if (Activity.Current is { } current && mine.ContainsKey(current.TraceId))
            {
                resolutions.Enqueue(tags.ToArray().ToDictionary(t => t.Key, t => t.Value));
            }
        });
        listener.Start();

        var miss = TraceIds.New();
        var hit = TraceIds.New();
        var failure = TraceIds.New();
        foreach (var ids in new[] { miss, hit, failure })
        {
            mine[ActivityTraceId.CreateFromString(ids.TraceId)] = true;
        }

        using (var first = await PutAsync(world, "metrics.trace.test:8449", miss))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        Assert.Equal(("miss", "success", "explicit_port"), Single(resolutions));

        using (var second = await PutAsync(world, "metrics.trace.test:8449", hit))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        Assert.Equal(("hit", "success", "explicit_port"), Single(resolutions));

        using (var third = await PutAsync(world, "nowhere.trace.test:8449", failure))
        {
            Assert.Equal(HttpStatusCode.BadGateway, third.StatusCode);
        }

        var failed = Assert.Single(resolutions.ToArray().Skip(2));
        Assert.Equal("failure", failed[EgressTagNames.Outcome]);
        Assert.Equal("no_addresses", failed[EgressTagNames.ErrorType]);
        Assert.Equal("none", failed[EgressTagNames.DiscoveryStep]);
        Assert.DoesNotContain(resolutions.SelectMany(r => r.Values), v => v is string s && s.Contains("trace.test", StringComparison.Ordinal));

        // The same instrument reaches the collector, with the hit and the failure as their own series.
        await receiver.WaitForMetricAsync(EgressMetricNames.Resolutions, m =>
            m.DataPoints.Any(p => p.HasAttributes((EgressTagNames.Cache, "hit"), (EgressTagNames.DiscoveryStep, "explicit_port")))
            && m.DataPoints.Any(p => p.HasAttributes((EgressTagNames.Outcome, "failure"), (EgressTagNames.ErrorType, "no_addresses"))));
    }

    private static (string?, string?, string?) Single(ConcurrentQueue<IReadOnlyDictionary<string, object?>> queue)
    {
        var last = queue.Last();
        return ((string?)last[EgressTagNames.Cache], (string?)last[EgressTagNames.Outcome], (string?)last[EgressTagNames.DiscoveryStep]);
    }

    private static string[] ExportTo(OtlpReceiver receiver) =>
    [
        $"Telemetry:OtlpEndpoint={receiver.HttpEndpoint}",
        "Telemetry:OtlpProtocol=http/protobuf",
        "Telemetry:MetricExportIntervalMilliseconds=200",
        "OTEL_BSP_SCHEDULE_DELAY=50",
    ];

    private static async Task<HttpResponseMessage> PutAsync(FederationWorld world, string serverName, TraceIds ids)
    {
        using var client = FederationWorld.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, $"http://{world.ForwardingEndPoint}/{serverName}/_matrix/federation/v1/send/1")
        {
            Content = new StringContent("{}"),
        };
        request.Headers.Add("traceparent", ids.TraceParent);
        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        await response.Content.LoadIntoBufferAsync(TestContext.Current.CancellationToken);
        return response;
    }
}
