namespace FederationEgress.Testing.Otlp;

/// <summary>An event recorded on a span (e.g. an exception).</summary>
public sealed record OtlpSpanEvent(string Name, ulong TimeUnixNano, IReadOnlyDictionary<string, object?> Attributes);
