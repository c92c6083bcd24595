using System.Diagnostics;

namespace FederationEgress.Tests.Diagnostics;

/// <summary>A fresh W3C trace context for a test, so its spans can be told apart from parallel tests'.</summary>
internal sealed record TraceIds(string TraceId, string ParentSpanId)
{
    public static TraceIds New() => new(ActivityTraceId.CreateRandom().ToHexString(), ActivitySpanId.CreateRandom().ToHexString());

    /// <summary>The sampled <c>traceparent</c> header value a homeserver would send.</summary>
    public string TraceParent => $"00-{TraceId}-{ParentSpanId}-01";
}
