namespace FederationEgress.Testing.Otlp;

/// <summary>
/// One metric of one export request as the collector received it. With cumulative temporality (the
/// exporter's default) a later export of the same metric supersedes the earlier one.
/// </summary>
/// <param name="Temporality">1 = delta, 2 = cumulative, 0 for gauges and summaries.</param>
public sealed record OtlpMetric(
    string Name,
    string Description,
    string Unit,
    OtlpMetricKind Kind,
    bool IsMonotonic,
    int Temporality,
    IReadOnlyList<OtlpDataPoint> DataPoints,
    string ScopeName,
    OtlpResource Resource)
{
    public override string ToString() => $"{Name} ({Kind}, {Unit}) {DataPoints.Count} points";
}
