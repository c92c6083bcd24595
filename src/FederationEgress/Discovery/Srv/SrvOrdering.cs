using FederationEgress.Dns;

namespace FederationEgress.Discovery.Srv;

/// <summary>
/// RFC 2782 ordering of SRV records (pure; the random source is injected): lowest priority first;
/// within a priority, repeated weighted random choice among the records with a non-zero weight
/// (a record with weight w is picked with probability w / remaining total), then the zero-weight
/// records in random order. "." markers are dropped (a lone "." is handled before ordering).
/// </summary>
public static class SrvOrdering
{
    /// <summary>Returns the records in the order to try them.</summary>
    public static List<SrvRecord> Order(IReadOnlyList<SrvRecord> records, Random random)
    {
        var result = new List<SrvRecord>(records.Count);
        foreach (var group in records.Where(r => !r.IsUnavailableMarker).GroupBy(r => r.Priority).OrderBy(g => g.Key))
        {
            var weighted = group.Where(r => r.Weight > 0).ToList();
            var zero = group.Where(r => r.Weight == 0).ToList();
            long total = weighted.Sum(r => (long)r.Weight);
            while (weighted.Count > 0)
            {
                // Pick r in [0, total): the first record whose running sum exceeds r wins.
                var pick = random.NextInt64(total);
                long running = 0;
                for (var i = 0; i < weighted.Count; i++)
                {
                    running += weighted[i].Weight;
                    if (running > pick)
                    {
                        result.Add(weighted[i]);
                        total -= weighted[i].Weight;
                        weighted.RemoveAt(i);
                        break;
                    }
                }
            }

            // Zero-weight records come after every weighted one, shuffled (RFC 2782 gives them a
            // tiny chance of going first; Synapse and we put them last).
            for (var i = zero.Count - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (zero[i], zero[j]) = (zero[j], zero[i]);
            }

            result.AddRange(zero);
        }

        return result;
    }
}
