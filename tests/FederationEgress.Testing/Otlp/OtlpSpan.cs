namespace FederationEgress.Testing.Otlp;

/// <summary>
/// One span as the collector received it. Ids are lower-case hex (as in <c>traceparent</c> and
/// <see cref="System.Diagnostics.ActivityTraceId.ToHexString"/>); <see cref="ParentSpanId"/> is null for a root span.
/// Attribute values are string, bool, long, double, <c>object?[]</c> (arrays),
/// <c>IReadOnlyDictionary&lt;string, object?&gt;</c> (key-value lists) or byte[].
/// </summary>
public sealed record OtlpSpan(
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    OtlpSpanKind Kind,
    ulong StartTimeUnixNano,
    ulong EndTimeUnixNano,
    IReadOnlyDictionary<string, object?> Attributes,
    IReadOnlyList<OtlpSpanEvent> Events,
    IReadOnlyList<OtlpSpanLink> Links,
    OtlpStatusCode StatusCode,
    string? StatusMessage,
    string ScopeName,
    OtlpResource Resource)
{
    /// <summary>The attribute <paramref name="key"/>, or null when absent.</summary>
    public object? Attribute(string key) => Attributes.TryGetValue(key, out var value) ? value : null;

    public override string ToString() => $"{Name} ({Kind}) {TraceId}/{SpanId} parent {ParentSpanId ?? "-"}";
}
