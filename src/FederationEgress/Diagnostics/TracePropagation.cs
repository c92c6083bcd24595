using System.Diagnostics;

namespace FederationEgress.Diagnostics;

/// <summary>
/// Decides whether outgoing requests carry the proxy's trace context (<c>traceparent</c>,
/// <c>tracestate</c>, <c>baggage</c>). Used by whoever builds the upstream <see cref="System.Net.Http.SocketsHttpHandler"/>.
/// </summary>
public static class TracePropagation
{
    /// <summary>
    /// The propagator for <see cref="System.Net.Http.SocketsHttpHandler.ActivityHeadersPropagator"/>:
    /// the runtime default when <see cref="EgressTelemetryOptions.PropagateTraceContext"/> is on, otherwise
    /// one that writes nothing. Not null: a null propagator removes SocketsHttpHandler's diagnostics
    /// layer altogether, and with it the outgoing request span.
    /// </summary>
    public static DistributedContextPropagator UpstreamPropagator(EgressTelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.PropagateTraceContext
            ? DistributedContextPropagator.CreateDefaultPropagator()
            : DistributedContextPropagator.CreateNoOutputPropagator();
    }

    /// <summary>Applies <see cref="UpstreamPropagator"/> to <paramref name="handler"/>.</summary>
    public static System.Net.Http.SocketsHttpHandler ApplyTracePropagation(this System.Net.Http.SocketsHttpHandler handler, EgressTelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(handler);
        handler.ActivityHeadersPropagator = UpstreamPropagator(options);
        return handler;
    }
}
