using System.Net;
using FederationEgress.Security.IpRanges;

namespace FederationEgress.Tests.Security.IpRanges;

public sealed class DefaultDenyListTests
{
    [Fact]
    public void Entries_EveryIPv4Range_HasFourForms()
    {
        var entries = DefaultDenyList.Entries.Select(e => e.Network.ToString()).ToHashSet();
        Assert.Equal(DefaultDenyList.IPv4Ranges.Count * 4 + DefaultDenyList.IPv6Ranges.Count, DefaultDenyList.Entries.Count);
        Assert.Contains("127.0.0.0/8", entries);
        Assert.Contains("::ffff:127.0.0.0/104", entries);
        Assert.Contains("::127.0.0.0/104", entries);
        Assert.Contains("2002:7f00::/24", entries);
        Assert.Contains("::ffff:192.168.0.0/112", entries);
        Assert.Contains("2002:c0a8::/32", entries);
        Assert.Contains("2002:6440::/26", entries);
    }

    [Fact]
    public void IPv4Ranges_IncludeSynapseDefaultsAndGaps()
    {
        string[] synapse =
        [
            "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "192.0.0.0/24",
            "169.254.0.0/16", "192.88.99.0/24", "198.18.0.0/15", "192.0.2.0/24", "198.51.100.0/24",
            "203.0.113.0/24", "224.0.0.0/4", "::1/128", "fe80::/10", "fc00::/7", "2001:db8::/32", "ff00::/8", "fec0::/10",
            "0.0.0.0/8", "240.0.0.0/4", "::/128",
        ];
        var all = DefaultDenyList.IPv4Ranges.Concat(DefaultDenyList.IPv6Ranges).Select(r => r.Cidr).ToHashSet();
        Assert.All(synapse, cidr => Assert.Contains(cidr, all));
    }

    [Fact]
    public void Expand_IPv4Entry_DescribesEachForm()
    {
        var forms = Ipv6Embeddings.Expand(new IpRangeEntry(IpNetwork.Parse("10.0.0.0/8"), "private")).ToList();
        Assert.Equal(4, forms.Count);
        Assert.Equal("::ffff:10.0.0.0/104 (IPv4-mapped form of 10.0.0.0/8 (private))", forms[1].ToString());
        Assert.Equal("::10.0.0.0/104 (IPv4-compatible form of 10.0.0.0/8 (private))", forms[2].ToString());
        Assert.Equal("2002:a00::/24 (6to4 form of 10.0.0.0/8 (private))", forms[3].ToString());
        Assert.True(forms[3].Network.Contains(IPAddress.Parse("2002:a00:1::1")));
    }

    [Fact]
    public void Expand_IPv6Entry_Unchanged()
    {
        var entry = new IpRangeEntry(IpNetwork.Parse("fe80::/10"), "link-local");
        Assert.Equal([entry], Ipv6Embeddings.Expand(entry));
    }
}
