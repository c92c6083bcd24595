namespace FederationEgress.Testing.Otlp;

/// <summary>A link from a span to another span, ids as lower-case hex.</summary>
public sealed record OtlpSpanLink(string TraceId, string SpanId, IReadOnlyDictionary<string, object?> Attributes);
