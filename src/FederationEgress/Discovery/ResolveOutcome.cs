namespace FederationEgress.Discovery;

/// <summary>
/// A resolution plus when the resolver should refresh it (the well-known refresh point, if a
/// well-known answer was used) and, for random SRV orders, equivalent resolutions with other
/// orders (the first one included) for cache hits to choose from.
/// </summary>
internal readonly record struct ResolveOutcome(Resolution Resolution, DateTimeOffset? RefreshAt, Resolution[]? Variants = null);
