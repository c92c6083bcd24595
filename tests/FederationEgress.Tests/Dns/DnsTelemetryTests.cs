using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using FederationEgress.Diagnostics;
using FederationEgress.Dns.Protocol;
using FederationEgress.Testing.Dns;
using FederationEgress.Tests.Dns.Caching;

namespace FederationEgress.Tests.Dns;

/// <summary>
/// Spans, events and metrics of the DNS layer. Other tests run in parallel on the same static
/// ActivitySource and Meter, so this class only looks at what its own flow produced: spans under
/// its own parent activity, measurements recorded while its AsyncLocal marker is set.
/// </summary>
public sealed class DnsTelemetryTests : IDisposable
{
    private static readonly AsyncLocal<string?> Marker = new();

    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters;
    private readonly string _marker = Guid.NewGuid().ToString("N");

    public DnsTelemetryTests()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EgressTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);

        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == EgressTelemetry.Name && instrument.Name.StartsWith("egress.dns.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _meters.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        _meters.Start();
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public async Task ResolveSrvAsync_NetworkQuery_DnsQuerySpanWithTags()
    {
        await using var h = new ResolverHarness();
        h.Server.AddSrv("_matrix-fed._tcp.span.test", "t.test", 8448).AddSrv("_matrix-fed._tcp.span.test", "u.test", 8448);
        using var parent = EgressTelemetry.ActivitySource.StartActivity("test.parent")!;
        Marker.Value = _marker;

        await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.span.test", Token);

        var span = Assert.Single(_stopped, a => a.OperationName == "dns.query" && a.ParentSpanId == parent.SpanId);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("_matrix-fed._tcp.span.test", span.GetTagItem("dns.question.name"));
        Assert.Equal("SRV", span.GetTagItem("dns.question.type"));
        Assert.Equal("noerror", span.GetTagItem("dns.response_code"));
        Assert.Equal(2, span.GetTagItem("dns.answer_count"));
        Assert.Equal("udp", span.GetTagItem("network.transport"));
        Assert.Equal("127.0.0.1", span.GetTagItem("server.address"));
        Assert.Equal(h.Server.EndPoint.Port, span.GetTagItem("server.port"));
        Assert.Null(span.GetTagItem("error.type"));
    }

    [Fact]
    public async Task ResolveSrvAsync_ServerFailure_SpanHasErrorType()
    {
        await using var h = new ResolverHarness();
        h.Server.SetBehavior("_matrix-fed._tcp.fail.test", DnsBehavior.ServerFailure);
        using var parent = EgressTelemetry.ActivitySource.StartActivity("test.parent")!;

        await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.fail.test", Token);

        var span = Assert.Single(_stopped, a => a.OperationName == "dns.query" && a.ParentSpanId == parent.SpanId);
        Assert.Equal("servfail", span.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
    }

    [Fact]
    public async Task ResolveSrvAsync_TruncatedAnswer_SpanSaysTcpWithTruncationEvent()
    {
        await using var h = new ResolverHarness();
        h.Server.AddSrv("_matrix-fed._tcp.tc.test", "t.test", 8448).SetBehavior("_matrix-fed._tcp.tc.test", DnsBehavior.TruncateOverUdp);
        using var parent = EgressTelemetry.ActivitySource.StartActivity("test.parent")!;

        await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.tc.test", Token);

        var span = Assert.Single(_stopped, a => a.OperationName == "dns.query" && a.ParentSpanId == parent.SpanId);
        Assert.Equal("tcp", span.GetTagItem("network.transport"));
        Assert.Contains(span.Events, e => e.Name == "dns.truncated");
    }

    [Fact]
    public async Task ResolveSrvAsync_MissHitStale_CacheEventsAndLookupMetric()
    {
        await using var h = new ResolverHarness();
        h.Server.AddSrv("_matrix-fed._tcp.cache.test", "t.test", 8448, ttl: 60);
        using var parent = EgressTelemetry.ActivitySource.StartActivity("test.parent")!;
        Marker.Value = _marker;

        await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.cache.test", Token);
        await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.cache.test", Token);
        h.Advance(61);
        h.Server.SetBehavior("_matrix-fed._tcp.cache.test", DnsBehavior.ServerFailure);
        await h.Resolver.ResolveSrvAsync("_matrix-fed._tcp.cache.test", Token);

        var outcomes = parent.Events.Where(e => e.Name == "dns.cache").Select(e => e.Tags.First(t => t.Key == "dns.cache").Value).ToList();
        Assert.Equal(["miss", "hit", "stale"], outcomes);
        var lookups = _measurements.Where(m => m.Instrument == "egress.dns.cache.lookups").Select(m => m.Tags["matrix.cache"]).ToList();
        Assert.Equal(["miss", "hit", "stale"], lookups);
    }

    [Fact]
    public async Task QueryAsync_Answered_QueryCounterAndDurationRecorded()
    {
        await using var h = new ResolverHarness();
        h.Server.AddA("metric.test", "127.0.0.1");
        Marker.Value = _marker;

        await h.Client.QueryAsync("metric.test", DnsRecordType.A, Token);

        var query = Assert.Single(_measurements, m => m.Instrument == "egress.dns.queries");
        Assert.Equal(1, query.Value);
        Assert.Equal(("A", "NOERROR", "udp"), (query.Tags["dns.question.type"], query.Tags["dns.response.rcode"], query.Tags["network.transport"]));
        var duration = Assert.Single(_measurements, m => m.Instrument == "egress.dns.query.duration");
        Assert.True(duration.Value >= 0);
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        if (Marker.Value != _marker)
        {
            return;
        }

        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), copy));
    }
}
