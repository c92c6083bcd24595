using System.Net;
using System.Net.Sockets;

namespace FederationEgress.Security.IpRanges;

/// <summary>
/// An immutable set of IPv4 and IPv6 networks answering "which range contains this address" in
/// O(log n) without allocating: it runs on every connect. The ranges are flattened at construction
/// into sorted, disjoint intervals, each remembering the most specific entry covering it, so the
/// reported match is the narrowest range (<c>::1/128 (loopback)</c> rather than a wider one that
/// happens to contain it).
/// </summary>
public sealed class IpRangeSet
{
    private readonly IpRangeEntry[] _entries;
    private readonly IntervalTable _v4;
    private readonly IntervalTable _v6;

    /// <summary>Builds a set from described networks (duplicates and overlaps are fine).</summary>
    public IpRangeSet(IEnumerable<IpRangeEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = entries.Distinct().ToArray();
        _v4 = IntervalTable.Build(_entries, AddressFamily.InterNetwork);
        _v6 = IntervalTable.Build(_entries, AddressFamily.InterNetworkV6);
    }

    /// <summary>Builds a set of networks sharing one description.</summary>
    public IpRangeSet(IEnumerable<IpNetwork> networks, string description = "configured")
        : this(networks.Select(n => new IpRangeEntry(n, description)))
    {
    }

    /// <summary>The set with no ranges.</summary>
    public static IpRangeSet Empty { get; } = new(Array.Empty<IpRangeEntry>());

    /// <summary>The entries as given (deduplicated).</summary>
    public IReadOnlyList<IpRangeEntry> Entries => _entries;

    /// <summary>True when there are no ranges.</summary>
    public bool IsEmpty => _entries.Length == 0;

    /// <summary>True when a range of the address's own family contains it (no IPv4-mapped normalisation).</summary>
    public bool Contains(IPAddress address) => TryMatch(address, out _);

    /// <summary>Finds the most specific range containing <paramref name="address"/>.</summary>
    public bool TryMatch(IPAddress address, out IpRangeEntry entry)
    {
        ArgumentNullException.ThrowIfNull(address);
        var value = IpAddressBits.ToUInt128(address);
        return address.AddressFamily == AddressFamily.InterNetwork
            ? TryMatchIPv4((uint)value, out entry)
            : TryMatchIPv6(value, out entry);
    }

    /// <summary>Finds the most specific IPv4 range containing the address given as an integer.</summary>
    internal bool TryMatchIPv4(uint value, out IpRangeEntry entry) => Lookup(_v4, value, out entry);

    /// <summary>Finds the most specific IPv6 range containing the address given as an integer.</summary>
    internal bool TryMatchIPv6(UInt128 value, out IpRangeEntry entry) => Lookup(_v6, value, out entry);

    private bool Lookup(IntervalTable table, UInt128 value, out IpRangeEntry entry)
    {
        var index = table.Find(value);
        entry = index >= 0 ? _entries[index] : default;
        return index >= 0;
    }

    /// <summary>Disjoint sorted intervals of one family, each mapped to an entry index.</summary>
    private sealed class IntervalTable
    {
        private readonly UInt128[] _starts;
        private readonly UInt128[] _ends;
        private readonly int[] _entry;

        private IntervalTable(UInt128[] starts, UInt128[] ends, int[] entry)
        {
            _starts = starts;
            _ends = ends;
            _entry = entry;
        }

        public static IntervalTable Build(IpRangeEntry[] entries, AddressFamily family)
        {
            var indices = Enumerable.Range(0, entries.Length).Where(i => entries[i].Network.Family == family).ToArray();

            // Every range boundary starts an elementary interval; each gets the most specific
            // (longest prefix, then first listed) range covering it. O(n²) once at startup.
            var boundaries = new SortedSet<UInt128>();
            foreach (var i in indices)
            {
                var network = entries[i].Network;
                boundaries.Add(network.Start);
                if (network.End != UInt128.MaxValue)
                {
                    boundaries.Add(network.End + 1);
                }
            }

            var points = boundaries.ToArray();
            var starts = new List<UInt128>();
            var ends = new List<UInt128>();
            var owners = new List<int>();
            for (var p = 0; p < points.Length; p++)
            {
                var start = points[p];
                var end = p + 1 < points.Length ? points[p + 1] - 1 : UInt128.MaxValue;
                var best = -1;
                foreach (var i in indices)
                {
                    var network = entries[i].Network;
                    if (network.Contains(start) && (best < 0 || network.PrefixLength > entries[best].Network.PrefixLength))
                    {
                        best = i;
                    }
                }

                if (best < 0)
                {
                    continue;
                }

                // Clamp to the owner: the last interval of a family may otherwise run to MaxValue.
                end = UInt128.Min(end, entries[best].Network.End);
                if (owners.Count > 0 && owners[^1] == best && ends[^1] + 1 == start)
                {
                    ends[^1] = end;
                }
                else
                {
                    starts.Add(start);
                    ends.Add(end);
                    owners.Add(best);
                }
            }

            return new IntervalTable([.. starts], [.. ends], [.. owners]);
        }

        public int Find(UInt128 value)
        {
            // Last interval whose start <= value.
            int lo = 0, hi = _starts.Length - 1, found = -1;
            while (lo <= hi)
            {
                var mid = lo + ((hi - lo) >> 1);
                if (_starts[mid] <= value)
                {
                    found = mid;
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            return found >= 0 && value <= _ends[found] ? _entry[found] : -1;
        }
    }
}
