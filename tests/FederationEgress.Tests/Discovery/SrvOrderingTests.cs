using FederationEgress.Discovery.Srv;
using FederationEgress.Dns;

namespace FederationEgress.Tests.Discovery;

/// <summary>RFC 2782 ordering (SR-08, SR-09, SR-11) as a pure function with a seeded random source.</summary>
public sealed class SrvOrderingTests
{
    [Fact] // SR-08
    public void Order_DifferentPriorities_LowestFirstRegardlessOfWeight()
    {
        SrvRecord[] records = [new(20, 100, 1, "b"), new(10, 0, 1, "a"), new(30, 5, 1, "c"), new(10, 0, 2, "a2")];

        var ordered = SrvOrdering.Order(records, new Random(1));

        Assert.Equal(["a", "a2"], ordered.Take(2).Select(r => r.Target).Order());
        Assert.Equal(["b", "c"], ordered.Skip(2).Select(r => r.Target));
    }

    [Fact] // SR-09
    public void Order_Weights_PickFirstInProportionToWeightAndZeroWeightsLast()
    {
        SrvRecord[] records = [new(10, 0, 1, "a"), new(10, 10, 1, "b"), new(10, 30, 1, "c")];
        var random = new Random(20_261_122);
        var firsts = new Dictionary<string, int>();
        const int Rounds = 20_000;
        for (var i = 0; i < Rounds; i++)
        {
            var ordered = SrvOrdering.Order(records, random);
            Assert.Equal("a", ordered[^1].Target);
            firsts[ordered[0].Target] = firsts.GetValueOrDefault(ordered[0].Target) + 1;
        }

        Assert.False(firsts.ContainsKey("a"));
        Assert.InRange(firsts["c"] / (double)Rounds, 0.72, 0.78); // 30 / 40
        Assert.InRange(firsts["b"] / (double)Rounds, 0.22, 0.28); // 10 / 40
    }

    [Fact] // SR-09: zero-weight records are shuffled among themselves.
    public void Order_OnlyZeroWeights_AreShuffled()
    {
        SrvRecord[] records = [new(10, 0, 1, "a"), new(10, 0, 1, "b"), new(10, 0, 1, "c")];
        var random = new Random(7);
        var orders = new HashSet<string>();
        for (var i = 0; i < 200; i++)
        {
            var ordered = SrvOrdering.Order(records, random);
            Assert.Equal(3, ordered.Count);
            orders.Add(string.Concat(ordered.Select(r => r.Target)));
        }

        Assert.Equal(6, orders.Count);
    }

    [Fact]
    public void Order_SameSeed_GivesTheSameOrder()
    {
        SrvRecord[] records = [new(1, 5, 1, "a"), new(1, 5, 1, "b"), new(1, 5, 1, "c"), new(2, 1, 1, "d")];

        var first = SrvOrdering.Order(records, new Random(42)).Select(r => r.Target);
        var second = SrvOrdering.Order(records, new Random(42)).Select(r => r.Target);

        Assert.Equal(first, second);
        Assert.Equal("d", SrvOrdering.Order(records, new Random(42))[^1].Target);
    }

    [Fact] // SR-11
    public void Order_DotRecords_AreDropped()
    {
        SrvRecord[] records = [new(0, 0, 0, "."), new(10, 0, 8448, "a")];

        var ordered = SrvOrdering.Order(records, new Random(1));

        Assert.Equal(["a"], ordered.Select(r => r.Target));
    }

    [Fact]
    public void Order_MaximumWeights_DoNotOverflow()
    {
        SrvRecord[] records = [new(1, ushort.MaxValue, 1, "a"), new(1, ushort.MaxValue, 1, "b"), new(1, ushort.MaxValue, 1, "c")];

        var ordered = SrvOrdering.Order(records, new Random(3));

        Assert.Equal(["a", "b", "c"], ordered.Select(r => r.Target).Order());
    }

    [Fact]
    public void Order_RandomRecordSets_IsAPermutationSortedByPriorityWithZeroWeightsLastInEachPriority()
    {
        var generator = new Random(99);
        for (var round = 0; round < 2_000; round++)
        {
            var records = Enumerable.Range(0, generator.Next(0, 12))
                .Select(i => new SrvRecord((ushort)generator.Next(0, 4), (ushort)(generator.Next(3) == 0 ? 0 : generator.Next(1, 100)), (ushort)generator.Next(1, 65536), generator.Next(8) == 0 ? "." : $"t{i}"))
                .ToArray();

            var ordered = SrvOrdering.Order(records, new Random(round));

            Assert.Equal(records.Where(r => !r.IsUnavailableMarker).OrderBy(r => r.Target), ordered.OrderBy(r => r.Target));
            for (var i = 1; i < ordered.Count; i++)
            {
                Assert.True(ordered[i - 1].Priority <= ordered[i].Priority);
                if (ordered[i - 1].Priority == ordered[i].Priority && ordered[i - 1].Weight == 0)
                {
                    Assert.Equal(0, ordered[i].Weight);
                }
            }
        }
    }
}
