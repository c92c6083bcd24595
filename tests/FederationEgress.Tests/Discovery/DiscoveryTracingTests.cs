using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using FederationEgress.Diagnostics;
using static FederationEgress.Tests.Discovery.DiscoveryHarness;

namespace FederationEgress.Tests.Discovery;

/// <summary>Each ResolveAsync is one "matrix.resolve" span with children per step tried, and counted in metrics.</summary>
public sealed class DiscoveryTracingTests
{
    [Fact]
    public async Task ResolveAsync_Miss_EmitsAResolveSpanWithStepChildren()
    {
        await using var h = new DiscoveryHarness();
        h.Dns.AddSrv("_matrix._tcp.target-server", Srv("srvtarget", 8443));
        await h.ServeDelegationAsync("tracing.example", "target-server", "max-age=3600");
        using var spans = new SpanCollector();

        await h.ResolveAsync("tracing.example");

        var resolve = spans.Single("matrix.resolve", "tracing.example");
        Assert.Equal("well_known_srv", resolve.GetTagItem("matrix.discovery.step"));
        Assert.Equal("target-server", resolve.GetTagItem("matrix.delegated_name"));
        Assert.Equal("target-server", resolve.GetTagItem("matrix.host_header"));
        Assert.Equal("target-server", resolve.GetTagItem("matrix.tls_name"));
        Assert.Equal("5.6.7.8:8443", resolve.GetTagItem("matrix.endpoints"));
        Assert.Equal("miss", resolve.GetTagItem("matrix.cache"));
        Assert.NotNull(resolve.GetTagItem("matrix.expires_at"));

        var children = spans.ChildrenOf(resolve);
        var wellKnown = Assert.Single(children, a => a.OperationName == "matrix.well_known");
        Assert.Equal("https://tracing.example/.well-known/matrix/server", wellKnown.GetTagItem("url.full"));
        Assert.Equal(200, wellKnown.GetTagItem("http.response.status_code"));
        Assert.Equal("valid", wellKnown.GetTagItem("matrix.well_known.outcome"));
        Assert.Equal("miss", wellKnown.GetTagItem("matrix.cache"));
        Assert.Equal(
            ["_matrix-fed._tcp.target-server", "_matrix._tcp.target-server"],
            children.Where(a => a.OperationName == "matrix.srv").Select(a => (string)a.GetTagItem("matrix.srv.service")!));
        var legacy = children.Single(a => (string?)a.GetTagItem("matrix.srv.service") == "_matrix._tcp.target-server");
        Assert.Equal(1, legacy.GetTagItem("dns.record_count"));
        Assert.Equal("success", legacy.GetTagItem("dns.outcome"));
        var addresses = Assert.Single(children, a => a.OperationName == "matrix.addresses");
        Assert.Equal("srvtarget", addresses.GetTagItem("dns.question.name"));
    }

    [Fact]
    public async Task ResolveAsync_Hit_EmitsAResolveSpanTaggedHit()
    {
        await using var h = new DiscoveryHarness();
        await h.ResolveAsync("[2001:db8::77]:8449");
        using var spans = new SpanCollector();

        await h.ResolveAsync("[2001:db8::77]:8449");

        var resolve = spans.Single("matrix.resolve", "[2001:db8::77]:8449");
        Assert.Equal("hit", resolve.GetTagItem("matrix.cache"));
        Assert.Equal("ip_literal", resolve.GetTagItem("matrix.discovery.step"));
        Assert.Equal("[2001:db8::77]:8449", resolve.GetTagItem("matrix.host_header"));
        Assert.Null(resolve.GetTagItem("matrix.tls_name"));
    }

    [Fact]
    public async Task ResolveAsync_Failure_MarksTheSpanAsAnError()
    {
        await using var h = new DiscoveryHarness();
        using var spans = new SpanCollector();

        await Assert.ThrowsAsync<FederationEgress.Errors.EgressException>(async () => await h.ResolveAsync("nxdomain.example:443"));

        var resolve = spans.Single("matrix.resolve", "nxdomain.example:443");
        Assert.Equal(ActivityStatusCode.Error, resolve.Status);
        Assert.Equal("no_addresses", resolve.GetTagItem("error.type"));
    }

    [Fact]
    public async Task ResolveAsync_Metrics_CountResolutionsAndWellKnownFetches()
    {
        await using var h = new DiscoveryHarness();
        h.Refuse("metrics.example");
        h.Dns.AddAddresses("metrics.example", "10.4.4.4");
        var resolutions = new ConcurrentQueue<(long Value, Dictionary<string, object?> Tags)>();
        var fetches = new ConcurrentQueue<string?>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EgressTelemetry.Name && instrument.Name is "egress.resolutions" or "egress.well_known.fetches")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var map = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                map[tag.Key] = tag.Value;
            }

            if (instrument.Name == "egress.resolutions")
            {
                resolutions.Enqueue((value, map));
            }
            else
            {
                fetches.Enqueue(map.GetValueOrDefault("matrix.well_known.result") as string);
            }
        });
        listener.Start();

        await h.ResolveAsync("metrics.example");
        await h.ResolveAsync("metrics.example");

        Assert.Contains(resolutions, m => (string?)m.Tags["matrix.cache"] == "miss" && (string?)m.Tags["matrix.discovery.step"] == "default_port" && (string?)m.Tags["matrix.outcome"] == "success");
        Assert.Contains(resolutions, m => (string?)m.Tags["matrix.cache"] == "hit" && (string?)m.Tags["matrix.discovery.step"] == "default_port");
        Assert.Contains("error", fetches);
    }

    /// <summary>Collects finished FederationEgress spans; filters by server name so parallel tests do not interfere.</summary>
    private sealed class SpanCollector : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private readonly ActivityListener _listener;

        public SpanCollector()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == EgressTelemetry.Name,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public Activity Single(string operation, string serverName) =>
            Assert.Single(_stopped, a => a.OperationName == operation && (string?)a.GetTagItem("matrix.server_name") == serverName);

        public IReadOnlyList<Activity> ChildrenOf(Activity parent) =>
            _stopped.Where(a => a.ParentSpanId == parent.SpanId && a.TraceId == parent.TraceId).ToArray();

        public void Dispose() => _listener.Dispose();
    }
}
