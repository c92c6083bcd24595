namespace FederationEgress.Discovery;

/// <summary>A resolution plus when the resolver should refresh it (the well-known refresh point, if a well-known answer was used).</summary>
internal readonly record struct ResolveOutcome(Resolution Resolution, DateTimeOffset? RefreshAt);
