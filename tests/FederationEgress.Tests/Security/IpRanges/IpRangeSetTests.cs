using System.Net;
using FederationEgress.Security.IpRanges;

namespace FederationEgress.Tests.Security.IpRanges;

public sealed class IpRangeSetTests
{
    private static IpRangeSet Set(params (string Cidr, string Description)[] entries) =>
        new(entries.Select(e => new IpRangeEntry(IpNetwork.Parse(e.Cidr), e.Description)));

    [Fact]
    public void TryMatch_NestedRanges_ReportsMostSpecific()
    {
        var set = Set(("10.0.0.0/8", "wide"), ("10.1.0.0/16", "narrow"), ("10.1.2.0/24", "narrowest"));

        Assert.True(set.TryMatch(IPAddress.Parse("10.1.2.3"), out var entry));
        Assert.Equal("narrowest", entry.Description);
        Assert.True(set.TryMatch(IPAddress.Parse("10.1.3.0"), out entry));
        Assert.Equal("narrow", entry.Description);
        Assert.True(set.TryMatch(IPAddress.Parse("10.2.0.0"), out entry));
        Assert.Equal("wide", entry.Description);
        Assert.True(set.TryMatch(IPAddress.Parse("10.255.255.255"), out entry));
        Assert.Equal("wide", entry.Description);
        Assert.False(set.Contains(IPAddress.Parse("11.0.0.0")));
    }

    [Fact]
    public void TryMatch_NarrowListedFirst_StillMostSpecific()
    {
        var set = Set(("::1/128", "loopback"), ("::/104", "compatible"));
        Assert.True(set.TryMatch(IPAddress.Parse("::1"), out var entry));
        Assert.Equal("loopback", entry.Description);
        Assert.True(set.TryMatch(IPAddress.Parse("::2"), out entry));
        Assert.Equal("compatible", entry.Description);
    }

    [Theory]
    [InlineData("192.167.255.255", false)]
    [InlineData("192.168.0.0", true)]
    [InlineData("192.168.255.255", true)]
    [InlineData("192.169.0.0", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("255.255.255.255", true)]
    [InlineData("254.255.255.255", false)]
    [InlineData("::", false)]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true)]
    [InlineData("fe80::", false)]
    [InlineData("ff00::", true)]
    public void Contains_Boundaries_Exact(string address, bool expected)
    {
        var set = Set(("192.168.0.0/16", "a"), ("255.255.255.255/32", "b"), ("ff00::/8", "c"));
        Assert.Equal(expected, set.Contains(IPAddress.Parse(address)));
    }

    [Fact]
    public void Contains_AdjacentAndOverlappingRanges_Merged()
    {
        var set = Set(("10.0.0.0/9", "x"), ("10.128.0.0/9", "x"), ("10.0.0.0/8", "x"), ("10.0.0.0/8", "x"));
        Assert.Equal(3, set.Entries.Count);
        Assert.True(set.Contains(IPAddress.Parse("10.127.255.255")));
        Assert.True(set.Contains(IPAddress.Parse("10.128.0.0")));
        Assert.False(set.Contains(IPAddress.Parse("11.0.0.0")));
    }

    [Fact]
    public void Contains_EmptySet_NeverMatches()
    {
        Assert.True(IpRangeSet.Empty.IsEmpty);
        Assert.False(IpRangeSet.Empty.Contains(IPAddress.Loopback));
        Assert.False(IpRangeSet.Empty.Contains(IPAddress.IPv6Loopback));
    }

    [Fact]
    public void Contains_FamiliesAreSeparate()
    {
        var set = Set(("0.0.0.0/0", "all v4"));
        Assert.True(set.Contains(IPAddress.Parse("8.8.8.8")));
        Assert.False(set.Contains(IPAddress.Parse("::ffff:8.8.8.8")));
        Assert.False(set.Contains(IPAddress.Parse("2606:4700::1111")));
    }

    [Fact]
    public void Contains_ManyRandomRanges_AgreesWithLinearScan()
    {
        var random = new Random(4711);
        var networks = new List<IpNetwork>();
        for (var i = 0; i < 300; i++)
        {
            var prefix = random.Next(4, 33);
            var start = (uint)random.NextInt64(0, 1L << 32) & (prefix == 0 ? 0 : uint.MaxValue << (32 - prefix));
            networks.Add(IpNetwork.Parse($"{new IPAddress(BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(start)))}/{prefix}"));
        }

        var set = new IpRangeSet(networks);
        for (var i = 0; i < 5000; i++)
        {
            var address = new IPAddress(BitConverter.GetBytes((uint)random.NextInt64(0, 1L << 32)));
            Assert.Equal(networks.Any(n => n.Contains(address)), set.Contains(address));
        }
    }
}
