namespace FederationEgress.Testing.Otlp;

/// <summary>OTLP <c>Span.SpanKind</c>.</summary>
public enum OtlpSpanKind
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}
