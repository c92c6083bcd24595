namespace FederationEgress.Tests.Discovery;

/// <summary>A <see cref="Random"/> whose NextDouble always returns one value (to pin jitter).</summary>
internal sealed class FixedRandom(double value) : Random
{
    public override double NextDouble() => value;

    protected override double Sample() => value;
}
