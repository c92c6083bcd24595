namespace FederationEgress.Testing.Otlp;

/// <summary>Which <c>Metric.data</c> case an exported metric carried.</summary>
public enum OtlpMetricKind
{
    Gauge,
    Sum,
    Histogram,
    ExponentialHistogram,
    Summary,
}
