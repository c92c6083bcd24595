namespace FederationEgress.Resilience;

/// <summary>Instruments of the back-off on the product meter (no destination names as tags: bounded cardinality).</summary>
public static class BackoffMetricNames
{
    /// <summary>Observable gauge of destinations currently backed off.</summary>
    public const string Active = "egress.backoff.active";

    /// <summary>Counter of requests refused with 503 because their destination is backed off.</summary>
    public const string Rejections = "egress.backoff.rejections";
}
