namespace FederationEgress.Testing.Otlp;

/// <summary>The resource (service) an exported span or metric came from.</summary>
/// <param name="Attributes">Resource attributes, e.g. <c>service.name</c>, <c>service.instance.id</c>.</param>
public sealed record OtlpResource(IReadOnlyDictionary<string, object?> Attributes)
{
    /// <summary>A resource without attributes.</summary>
    public static OtlpResource Empty { get; } = new(new Dictionary<string, object?>());

    /// <summary>The <c>service.name</c> attribute, if any.</summary>
    public string? ServiceName => Attributes.TryGetValue("service.name", out var value) ? value as string : null;
}
