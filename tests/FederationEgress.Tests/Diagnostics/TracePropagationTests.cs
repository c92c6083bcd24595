using System.Diagnostics;
using FederationEgress.Diagnostics;

namespace FederationEgress.Tests.Diagnostics;

public sealed class TracePropagationTests
{
    [Fact]
    public void UpstreamPropagator_Off_InjectsNothing()
    {
        using var activity = new Activity("outgoing").SetIdFormat(ActivityIdFormat.W3C).Start();

        var headers = Inject(new EgressTelemetryOptions());

        Assert.Empty(headers);
    }

    [Fact]
    public void UpstreamPropagator_On_InjectsTraceparentOfCurrentSpan()
    {
        using var activity = new Activity("outgoing").SetIdFormat(ActivityIdFormat.W3C).Start();

        var headers = Inject(new EgressTelemetryOptions { PropagateTraceContext = true });

        Assert.Equal(activity.Id, headers["traceparent"]);
    }

    [Fact]
    public void ApplyTracePropagation_Off_KeepsADiagnosticsPropagator()
    {
        // Null would remove SocketsHttpHandler's diagnostics layer and the outgoing span with it.
        using var handler = new SocketsHttpHandler().ApplyTracePropagation(new EgressTelemetryOptions());

        Assert.NotNull(handler.ActivityHeadersPropagator);
    }

    private static Dictionary<string, string?> Inject(EgressTelemetryOptions options)
    {
        var headers = new Dictionary<string, string?>();
        TracePropagation.UpstreamPropagator(options).Inject(Activity.Current, headers, (carrier, key, value) => ((Dictionary<string, string?>)carrier!)[key] = value);
        return headers;
    }
}
