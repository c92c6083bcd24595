namespace FederationEgress.Testing.Otlp;

/// <summary>
/// One data point of an exported metric. Number points set <see cref="AsLong"/> or
/// <see cref="AsDouble"/>; histogram and summary points set <see cref="Count"/> and <see cref="Sum"/>
/// (explicit histograms also the buckets, min and max).
/// </summary>
public sealed record OtlpDataPoint(
    IReadOnlyDictionary<string, object?> Attributes,
    ulong TimeUnixNano,
    long? AsLong,
    double? AsDouble,
    ulong? Count,
    double? Sum,
    IReadOnlyList<ulong> BucketCounts,
    IReadOnlyList<double> ExplicitBounds,
    double? Min,
    double? Max)
{
    /// <summary>The number value (long or double); for histograms and summaries the sum.</summary>
    public double Value => AsDouble ?? AsLong ?? Sum ?? 0;

    /// <summary>The attribute <paramref name="key"/>, or null when absent.</summary>
    public object? Attribute(string key) => Attributes.TryGetValue(key, out var value) ? value : null;

    /// <summary>True when every pair in <paramref name="tags"/> is present with an equal value.</summary>
    public bool HasAttributes(params (string Key, object? Value)[] tags) =>
        tags.All(t => Attributes.TryGetValue(t.Key, out var v) && Equals(v, t.Value));
}
