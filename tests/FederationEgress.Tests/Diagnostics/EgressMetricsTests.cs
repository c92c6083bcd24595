using System.Diagnostics.Metrics;
using FederationEgress.Diagnostics;
using FederationEgress.Discovery;
using FederationEgress.Errors;

namespace FederationEgress.Tests.Diagnostics;

public sealed class EgressMetricsTests : IDisposable
{
    private readonly Meter _meter = new("FederationEgress.Tests.EgressMetrics." + Guid.NewGuid().ToString("N"));
    private readonly MetricRecorder _recorder;
    private readonly EgressMetrics _metrics;

    public EgressMetricsTests()
    {
        _recorder = new MetricRecorder(_meter);
        _metrics = new EgressMetrics(_meter);
    }

    public void Dispose()
    {
        _recorder.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public void ResolutionCompleted_CacheMissSuccess_CountsAndTimesWithStepAndCacheTags()
    {
        _metrics.ResolutionCompleted(DiscoveryStep.WellKnownSrv, EgressTagValues.CacheMiss, error: null, TimeSpan.FromMilliseconds(250));

        var count = Assert.Single(_recorder.Of(EgressMetricNames.Resolutions));
        Assert.Equal(1, count.Value);
        Assert.Equal("well_known_srv", count.Tags[EgressTagNames.DiscoveryStep]);
        Assert.Equal("miss", count.Tags[EgressTagNames.Cache]);
        Assert.Equal("success", count.Tags[EgressTagNames.Outcome]);
        Assert.False(count.Tags.ContainsKey(EgressTagNames.ErrorType));
        var duration = Assert.Single(_recorder.Of(EgressMetricNames.ResolutionDuration));
        Assert.Equal(0.25, duration.Value, 6);
        Assert.Equal("s", duration.Instrument.Unit);
    }

    [Fact]
    public void ResolutionCompleted_FailureBeforeStep_StepNoneAndErrorType()
    {
        _metrics.ResolutionCompleted(step: null, EgressTagValues.CacheMiss, EgressErrorKind.DnsFailed, TimeSpan.FromSeconds(2));

        var count = Assert.Single(_recorder.Of(EgressMetricNames.Resolutions));
        Assert.Equal("none", count.Tags[EgressTagNames.DiscoveryStep]);
        Assert.Equal("failure", count.Tags[EgressTagNames.Outcome]);
        Assert.Equal("dns_failed", count.Tags[EgressTagNames.ErrorType]);
        var duration = Assert.Single(_recorder.Of(EgressMetricNames.ResolutionDuration));
        Assert.False(duration.Tags.ContainsKey(EgressTagNames.ErrorType));
    }

    [Fact]
    public void ResolutionCompleted_HitsAndMisses_SeparateSeriesByCacheTag()
    {
        _metrics.ResolutionCompleted(DiscoveryStep.Srv, EgressTagValues.CacheMiss, null, TimeSpan.FromMilliseconds(40));
        _metrics.ResolutionCompleted(DiscoveryStep.Srv, EgressTagValues.CacheHit, null, TimeSpan.FromMilliseconds(0.01));
        _metrics.ResolutionCompleted(DiscoveryStep.Srv, EgressTagValues.CacheHit, null, TimeSpan.FromMilliseconds(0.01));

        var byCache = _recorder.Of(EgressMetricNames.Resolutions).GroupBy(m => m.Tags[EgressTagNames.Cache]).ToDictionary(g => g.Key!, g => g.Sum(m => m.Value));
        Assert.Equal(2, byCache["hit"]);
        Assert.Equal(1, byCache["miss"]);
    }

    [Theory]
    [InlineData(200, null, "2xx", "success", null)]
    [InlineData(404, null, "4xx", "success", null)]
    [InlineData(503, null, "5xx", "success", null)]
    [InlineData(null, EgressErrorKind.TlsFailed, "none", "failure", "tls_failed")]
    [InlineData(502, EgressErrorKind.ConnectFailed, "5xx", "failure", "connect_failed")]
    public void UpstreamRequestCompleted_StatusAndError_TaggedByClassOutcomeAndType(int? status, EgressErrorKind? error, string statusClass, string outcome, string? errorType)
    {
        _metrics.UpstreamRequestCompleted("PUT", status, error, "path", TimeSpan.FromMilliseconds(120));

        var count = Assert.Single(_recorder.Of(EgressMetricNames.UpstreamRequests));
        Assert.Equal(statusClass, count.Tags[EgressTagNames.StatusClass]);
        Assert.Equal(outcome, count.Tags[EgressTagNames.Outcome]);
        Assert.Equal("PUT", count.Tags[EgressTagNames.HttpRequestMethod]);
        Assert.Equal("path", count.Tags[EgressTagNames.FrontEnd]);
        Assert.Equal(errorType, count.Tags.GetValueOrDefault(EgressTagNames.ErrorType));
        Assert.Single(_recorder.Of(EgressMetricNames.UpstreamRequestDuration));
    }

    [Fact]
    public void UpstreamRequestCompleted_UnknownMethod_RecordedAsOther()
    {
        _metrics.UpstreamRequestCompleted("PROPFIND", 200, null, "path", TimeSpan.Zero);

        Assert.Equal("_OTHER", Assert.Single(_recorder.Of(EgressMetricNames.UpstreamRequests)).Tags[EgressTagNames.HttpRequestMethod]);
    }

    [Fact]
    public void RequestStartedAndEnded_Balanced_ActiveRequestsReturnsToZero()
    {
        _metrics.RequestStarted("path");
        _metrics.RequestStarted("synapse");
        _metrics.RequestEnded("path");

        var active = _recorder.Of(EgressMetricNames.ActiveRequests);
        Assert.Equal(0, active.Where(m => Equals(m.Tags[EgressTagNames.FrontEnd], "path")).Sum(m => m.Value));
        Assert.Equal(1, active.Where(m => Equals(m.Tags[EgressTagNames.FrontEnd], "synapse")).Sum(m => m.Value));
    }

    [Fact]
    public void DnsQueryCompleted_TypeAndRcode_CountedAndTimed()
    {
        _metrics.DnsQueryCompleted("SRV", "NXDOMAIN", TimeSpan.FromMilliseconds(3));

        var count = Assert.Single(_recorder.Of(EgressMetricNames.DnsQueries));
        Assert.Equal("SRV", count.Tags[EgressTagNames.DnsQuestionType]);
        Assert.Equal("NXDOMAIN", count.Tags[EgressTagNames.DnsResponseCode]);
        Assert.Equal(0.003, Assert.Single(_recorder.Of(EgressMetricNames.DnsQueryDuration)).Value, 6);
    }

    [Fact]
    public void OtherInstruments_Recorded_WithTheirSingleTag()
    {
        _metrics.WellKnownFetched(EgressTagValues.WellKnownNotFound);
        _metrics.DnsCacheLookup("AAAA", EgressTagValues.CacheStale);
        _metrics.UpstreamFailover(EgressErrorKind.ConnectFailed);
        _metrics.PolicyDenied("forbidden_range");
        _metrics.ResolutionCacheEntriesChanged(3);
        _metrics.DnsCacheEntriesChanged(-1);
        _recorder.RecordObservables();

        Assert.Equal("not_found", Assert.Single(_recorder.Of(EgressMetricNames.WellKnownFetches)).Tags[EgressTagNames.WellKnownResult]);
        Assert.Equal("stale", Assert.Single(_recorder.Of(EgressMetricNames.DnsCacheLookups)).Tags[EgressTagNames.Cache]);
        Assert.Equal("connect_failed", Assert.Single(_recorder.Of(EgressMetricNames.UpstreamFailovers)).Tags[EgressTagNames.ErrorType]);
        Assert.Equal("forbidden_range", Assert.Single(_recorder.Of(EgressMetricNames.PolicyDenials)).Tags[EgressTagNames.PolicyReason]);
        Assert.Equal(3, Assert.Single(_recorder.Of(EgressMetricNames.ResolutionCacheEntries)).Value);
        Assert.Equal(-1, Assert.Single(_recorder.Of(EgressMetricNames.DnsCacheEntries)).Value);
    }

    [Fact]
    public void Instruments_AllDocumentedNames_CreatedOnTheMeter()
    {
        var published = new List<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, _meter))
                {
                    published.Add(instrument.Name);
                }
            },
        };
        listener.Start();

        var documented = typeof(EgressMetricNames).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.Equal(documented.Order(), published.Order());
    }

    [Fact]
    public void Tags_NoDestinationNameOnAnyInstrument()
    {
        _metrics.ResolutionCompleted(DiscoveryStep.ExplicitPort, EgressTagValues.CacheMiss, EgressErrorKind.NoAddresses, TimeSpan.Zero);
        _metrics.UpstreamRequestCompleted("GET", 200, null, "path", TimeSpan.Zero);
        _metrics.DnsQueryCompleted("A", "NOERROR", TimeSpan.Zero);

        string[] destinationTags = [EgressTagNames.ServerName, EgressTagNames.DelegatedName, EgressTagNames.HostHeader, EgressTagNames.TlsName,
            EgressTagNames.Endpoints, EgressTagNames.ServerAddress, EgressTagNames.DnsQuestionName, EgressTagNames.NetworkPeerAddress];
        Assert.All(_recorder.Measurements, m => Assert.DoesNotContain(m.Tags.Keys, destinationTags.Contains));
    }
}
