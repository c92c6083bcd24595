using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using FederationEgress.Errors;
using FederationEgress.Resilience;
using FederationEgress.Testing.Time;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FederationEgress.Tests.Resilience;

/// <summary>The back-off state machine on a manual clock: threshold, growth, probes, reset, expiry, limits.</summary>
public sealed class DestinationBackoffTests : IDisposable
{
    private const string Name = "dead.example";
    private static readonly EgressError Refused = new(EgressErrorKind.ConnectFailed, "connect", "connecting to 127.0.0.1:8448 (dead.example) failed: connection refused");

    private readonly ManualTimeProvider _clock = new();
    private readonly Meter _meter = new("resilience-tests-" + Guid.NewGuid());
    private readonly MeterCapture _metrics;

    public DestinationBackoffTests()
    {
        _metrics = new MeterCapture(_meter);
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public void TryAdmit_BelowThreshold_AdmitsEveryRequest()
    {
        using var backoff = Create();
        Fail(backoff, 2);

        Assert.True(backoff.TryAdmit(Name, out var admission, out _));
        Assert.False(admission.IsProbe);
        var state = backoff.GetState(Name);
        Assert.Equal(DestinationHealthStatus.Failing, state.Status);
        Assert.Equal(2, state.ConsecutiveFailures);
        Assert.Equal(Refused, state.LastError);
    }

    [Fact]
    public void TryAdmit_AtThreshold_Rejects503WithRetryAfterNamingTheLastError()
    {
        using var backoff = Create();
        Fail(backoff, 3);

        Assert.False(backoff.TryAdmit(Name, out _, out var rejection));
        Assert.Equal(EgressErrorKind.DestinationBackoff, rejection.Kind);
        Assert.Equal(503, EgressErrorMapper.StatusCode(rejection.Kind));
        Assert.Equal("M_LIMIT_EXCEEDED", EgressErrorMapper.ErrCode(rejection.Kind));
        Assert.Equal(TimeSpan.FromSeconds(5), rejection.RetryAfter);
        Assert.Contains("connection refused", rejection.Message);
        Assert.Equal(DestinationHealthStatus.BackingOff, backoff.GetState(Name).Status);
    }

    [Fact]
    public void TryAdmit_IntervalPassed_LetsExactlyOneProbeThroughPerInterval()
    {
        using var backoff = Create();
        Fail(backoff, 3);
        _clock.Advance(TimeSpan.FromSeconds(5));

        Assert.True(backoff.TryAdmit(Name, out var probe, out _));
        Assert.True(probe.IsProbe);
        Assert.False(backoff.TryAdmit(Name, out _, out var rejection));
        Assert.Equal(TimeSpan.FromSeconds(5), rejection.RetryAfter);

        // The probe never reported (still connecting): the next one is due an interval later.
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(backoff.TryAdmit(Name, out var second, out _));
        Assert.True(second.IsProbe);
    }

    [Fact]
    public void ReportConnectionFailure_ProbeFails_IntervalGrowsUpToTheMaximum()
    {
        using var backoff = Create(o => o.MaxSeconds = 30);
        Fail(backoff, 3);
        var intervals = new List<TimeSpan>();
        for (var i = 0; i < 5; i++)
        {
            _clock.Advance(backoff.GetState(Name).RetryAt!.Value - _clock.GetUtcNow());
            Assert.True(backoff.TryAdmit(Name, out var probe, out _));
            backoff.ReportConnectionFailure(probe, Refused);
            intervals.Add(backoff.GetState(Name).Interval!.Value);
        }

        Assert.Equal([10, 20, 30, 30, 30], intervals.Select(t => t.TotalSeconds));
        Assert.Equal(8, backoff.GetState(Name).ConsecutiveFailures);
    }

    [Fact]
    public void ReportResponse_AfterProbe_ResetsTheDestination()
    {
        using var backoff = Create();
        Fail(backoff, 3);
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(backoff.TryAdmit(Name, out var probe, out _));

        backoff.ReportResponse(probe);

        Assert.Equal(DestinationHealthState.Healthy(Name), backoff.GetState(Name));
        Assert.Empty(backoff.GetUnhealthy());
        Fail(backoff, 2);
        Assert.True(backoff.TryAdmit(Name, out _, out _));
    }

    [Fact]
    public void ReportResponse_BelowThreshold_ForgetsEarlierFailures()
    {
        using var backoff = Create();
        Fail(backoff, 2);
        Assert.True(backoff.TryAdmit(Name, out var ok, out _));
        backoff.ReportResponse(ok);
        Fail(backoff, 2);

        Assert.True(backoff.TryAdmit(Name, out _, out _));
        Assert.Equal(2, backoff.GetState(Name).ConsecutiveFailures);
    }

    [Fact]
    public void ReportConnectionFailure_BurstAdmittedBeforeBackoff_CountsOnce()
    {
        using var backoff = Create();
        var burst = Enumerable.Range(0, 50).Select(_ => Admit(backoff)).ToList();
        foreach (var admission in burst)
        {
            backoff.ReportConnectionFailure(admission, Refused);
        }

        var state = backoff.GetState(Name);
        Assert.Equal(TimeSpan.FromSeconds(5), state.Interval);
        Assert.Equal(3, state.ConsecutiveFailures);
    }

    [Theory]
    [InlineData(EgressErrorKind.AddressDenied, "address policy")]
    [InlineData(EgressErrorKind.NoAddresses, "connect")]
    [InlineData(EgressErrorKind.Timeout, "response headers")]
    [InlineData(EgressErrorKind.UpstreamProtocolError, "response headers")]
    [InlineData(EgressErrorKind.DnsFailed, "dns")]
    public void ReportConnectionFailure_NotAConnectionFailure_NeverBacksOff(EgressErrorKind kind, string step)
    {
        using var backoff = Create();
        for (var i = 0; i < 10; i++)
        {
            backoff.ReportConnectionFailure(Admit(backoff), new EgressError(kind, step, "not the destination's fault"));
        }

        Assert.True(backoff.TryAdmit(Name, out _, out _));
        Assert.Equal(DestinationHealthStatus.Healthy, backoff.GetState(Name).Status);
    }

    [Theory]
    [InlineData(EgressErrorKind.ConnectFailed, "connect")]
    [InlineData(EgressErrorKind.Timeout, "connect")]
    [InlineData(EgressErrorKind.Timeout, "tls")]
    [InlineData(EgressErrorKind.TlsFailed, "tls")]
    public void ReportConnectionFailure_ConnectionEstablishmentFailure_Counts(EgressErrorKind kind, string step)
    {
        using var backoff = Create();
        for (var i = 0; i < 3; i++)
        {
            backoff.ReportConnectionFailure(Admit(backoff), new EgressError(kind, step, "failed"));
        }

        Assert.False(backoff.TryAdmit(Name, out _, out _));
    }

    [Fact]
    public void TryAdmit_OtherDestination_NeverAffected()
    {
        using var backoff = Create();
        Fail(backoff, 10);

        Assert.True(backoff.TryAdmit("healthy.example", out var admission, out _));
        Assert.False(admission.IsProbe);
        Assert.False(backoff.TryAdmit("DEAD.example", out _, out _));
    }

    [Fact]
    public void TryAdmit_Disabled_AlwaysAdmits()
    {
        using var backoff = Create(o => o.Enabled = false);
        Fail(backoff, 10);

        Assert.True(backoff.TryAdmit(Name, out _, out _));
        Assert.Equal(0, backoff.TrackedCount);
    }

    [Fact]
    public void Sweep_IdleEntries_ExpireAfterTheMaximumInterval()
    {
        using var backoff = Create(o => o.MaxSeconds = 60);
        Fail(backoff, 3);
        Fail(backoff, 1, "failing.example");

        _clock.Advance(TimeSpan.FromSeconds(66));
        Assert.Equal(DestinationHealthStatus.Healthy, backoff.GetState(Name).Status);
        _clock.Advance(DestinationBackoff.SweepInterval);

        Assert.Equal(0, backoff.TrackedCount);
        Assert.True(backoff.TryAdmit(Name, out var admission, out _));
        Assert.False(admission.IsProbe);
    }

    [Fact]
    public void ReportConnectionFailure_TrackingFull_NewDestinationsAreNotBlocked()
    {
        using var backoff = Create(o => o.MaxTrackedDestinations = 2);
        Fail(backoff, 3, "a.example");
        Fail(backoff, 3, "b.example");
        Fail(backoff, 3, "c.example");

        Assert.Equal(2, backoff.TrackedCount);
        Assert.True(backoff.TryAdmit("c.example", out _, out _));
        Assert.False(backoff.TryAdmit("a.example", out _, out _));
    }

    [Fact]
    public void Jitter_StaysWithinTheConfiguredFraction()
    {
        var seen = new HashSet<double>();
        for (var seed = 0; seed < 40; seed++)
        {
            using var backoff = Create(o => o.JitterFraction = 0.1, new Random(seed));
            Fail(backoff, 3);
            var wait = (backoff.GetState(Name).RetryAt!.Value - _clock.GetUtcNow()).TotalSeconds;
            Assert.InRange(wait, 4.5, 5.5);
            seen.Add(wait);
        }

        Assert.True(seen.Count > 1, "jitter never varied the interval");
    }

    [Fact]
    public void Metrics_CountRejectionsAndActiveDestinations()
    {
        using var backoff = Create();
        Fail(backoff, 3);
        Fail(backoff, 3, "other.example");
        Fail(backoff, 1, "failing.example");
        backoff.TryAdmit(Name, out _, out _);
        backoff.TryAdmit(Name, out _, out _);

        _metrics.RecordObservable();

        Assert.Equal(2, _metrics.Of(BackoffMetricNames.Rejections).Sum());
        Assert.Equal(2, _metrics.Of(BackoffMetricNames.Active).Last());
    }

    [Fact]
    public void GetUnhealthy_ListsFailingAndBackedOffDestinations()
    {
        using var backoff = Create();
        Fail(backoff, 3);
        Fail(backoff, 1, "failing.example");

        var list = backoff.GetUnhealthy();

        Assert.Equal(["dead.example", "failing.example"], list.Select(s => s.ServerName));
        Assert.Equal([DestinationHealthStatus.BackingOff, DestinationHealthStatus.Failing], list.Select(s => s.Status));
        Assert.Equal(_clock.GetUtcNow(), list[0].BackingOffSince);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromSeconds(5), list[0].RetryAt);
    }

    [Fact]
    public void Instruments_SeveralInstancesOnOneMeter_EachNamePublishedOnceAndGaugeSumsLiveInstances()
    {
        var published = new List<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, _meter))
                {
                    lock (published)
                    {
                        published.Add(instrument.Name);
                    }
                }
            },
        };
        listener.Start();

        using var first = Create();
        using var second = Create();
        Fail(first, 3);
        Fail(second, 3, "other.example");
        _metrics.RecordObservable();

        Assert.Equal([BackoffMetricNames.Active, BackoffMetricNames.Rejections], published.Order(StringComparer.Ordinal));
        Assert.Equal(2, _metrics.Of(BackoffMetricNames.Active).Single());
    }

    [Fact]
    public void ActiveGauge_DisposedInstance_NoLongerCounted()
    {
        using var kept = Create();
        var disposed = Create();
        Fail(kept, 3);
        Fail(disposed, 3, "other.example");

        disposed.Dispose();
        _metrics.RecordObservable();

        Assert.Equal(1, _metrics.Of(BackoffMetricNames.Active).Single());
    }

    [Fact]
    public void ActiveGauge_UnreachableInstance_IsNotKeptAliveByTheMeterOrTheSweepTimer()
    {
        using var kept = Create();
        Fail(kept, 3);
        var abandoned = CreateBackedOffAndAbandon();

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        _metrics.RecordObservable();

        Assert.False(abandoned.TryGetTarget(out _), "the meter or the sweep timer still references a dropped back-off");
        Assert.Equal(1, _metrics.Of(BackoffMetricNames.Active).Single());
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private WeakReference<DestinationBackoff> CreateBackedOffAndAbandon()
    {
        var backoff = Create();
        Fail(backoff, 3, "abandoned.example");
        return new WeakReference<DestinationBackoff>(backoff);
    }

    private DestinationBackoff Create(Action<BackoffOptions>? configure = null, Random? random = null)
    {
        var options = new BackoffOptions { JitterFraction = 0 };
        configure?.Invoke(options);
        Assert.True(new BackoffOptionsValidator().Validate(null, options).Succeeded);
        return new DestinationBackoff(Options.Create(options), _clock, _meter, NullLogger<DestinationBackoff>.Instance, random);
    }

    private static BackoffAdmission Admit(DestinationBackoff backoff, string name = Name)
    {
        Assert.True(backoff.TryAdmit(name, out var admission, out var rejection), rejection?.ToString());
        return admission;
    }

    private static void Fail(DestinationBackoff backoff, int times, string name = Name)
    {
        for (var i = 0; i < times; i++)
        {
            var admission = backoff.TryAdmit(name, out var admitted, out _) ? admitted : new BackoffAdmission(name, false);
            backoff.ReportConnectionFailure(admission, Refused);
        }
    }
}
