using System.Net;
using FederationEgress.Security.IpRanges;

namespace FederationEgress.Tests.Security.IpRanges;

public sealed class IpNetworkTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8", 8)]
    [InlineData("0.0.0.0/0", "0.0.0.0/0", 0)]
    [InlineData("192.168.1.1", "192.168.1.1/32", 32)]
    [InlineData(" 172.16.0.0/12 ", "172.16.0.0/12", 12)]
    [InlineData("fe80::/10", "fe80::/10", 10)]
    [InlineData("FE80:0:0::/10", "fe80::/10", 10)]
    [InlineData("::1", "::1/128", 128)]
    [InlineData("::/0", "::/0", 0)]
    [InlineData("::ffff:127.0.0.0/104", "::ffff:127.0.0.0/104", 104)]
    [InlineData("2001:db8::/32", "2001:db8::/32", 32)]
    public void Parse_ValidCidr_FormatsCanonically(string text, string expected, int prefix)
    {
        var network = IpNetwork.Parse(text);
        Assert.Equal(expected, network.ToString());
        Assert.Equal(prefix, network.PrefixLength);
        Assert.Equal(network, IpNetwork.Parse(network.ToString()));
    }

    [Theory]
    [InlineData("", "address")]
    [InlineData("10.0.0.0/", "prefix")]
    [InlineData("10.0.0.0/33", "prefix")]
    [InlineData("10.0.0.0/-1", "prefix")]
    [InlineData("10.0.0.0/8/8", "prefix")]
    [InlineData("::/129", "prefix")]
    [InlineData("10.1.2.3/8", "did you mean 10.0.0.0/8")]
    [InlineData("fe80::1/10", "did you mean fe80::/10")]
    [InlineData("127.1", "address")]
    [InlineData("2130706433", "address")]
    [InlineData("0x7f.0.0.1", "address")]
    [InlineData("example.org", "address")]
    [InlineData("fe80::1%eth0", "address")]
    [InlineData("1.2.3.4.5", "address")]
    public void TryParse_Invalid_ExplainsWhy(string text, string expectedInError)
    {
        Assert.False(IpNetwork.TryParse(text, out _, out var error));
        Assert.Contains(expectedInError, error);
        var exception = Assert.Throws<FormatException>(() => IpNetwork.Parse(text));
        Assert.Contains("is not a CIDR", exception.Message);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0", true)]
    [InlineData("10.0.0.0/8", "10.255.255.255", true)]
    [InlineData("10.0.0.0/8", "11.0.0.0", false)]
    [InlineData("10.0.0.0/8", "9.255.255.255", false)]
    [InlineData("0.0.0.0/0", "255.255.255.255", true)]
    [InlineData("192.168.1.1/32", "192.168.1.1", true)]
    [InlineData("192.168.1.1/32", "192.168.1.2", false)]
    [InlineData("fe80::/10", "fe80::1", true)]
    [InlineData("fe80::/10", "febf:ffff::1", true)]
    [InlineData("fe80::/10", "fec0::1", false)]
    [InlineData("::/0", "2606:4700::1111", true)]
    [InlineData("10.0.0.0/8", "::ffff:10.0.0.1", false)]
    [InlineData("::ffff:10.0.0.0/104", "10.0.0.1", false)]
    public void Contains_Address_MatchesWithinFamilyOnly(string cidr, string address, bool expected)
    {
        Assert.Equal(expected, IpNetwork.Parse(cidr).Contains(IPAddress.Parse(address)));
    }

    [Fact]
    public void Contains_Network_TrueOnlyForSubnets()
    {
        var wide = IpNetwork.Parse("10.0.0.0/8");
        Assert.True(wide.Contains(IpNetwork.Parse("10.1.0.0/16")));
        Assert.True(wide.Contains(wide));
        Assert.False(IpNetwork.Parse("10.1.0.0/16").Contains(wide));
        Assert.False(wide.Contains(IpNetwork.Parse("::ffff:10.0.0.0/104")));
    }
}
