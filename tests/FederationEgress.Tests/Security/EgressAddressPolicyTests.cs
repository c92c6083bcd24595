using System.Net;
using FederationEgress.Security;

namespace FederationEgress.Tests.Security;

public sealed class EgressAddressPolicyTests
{
    private static IEgressAddressPolicy Policy(params (string Key, string? Value)[] settings) =>
        SecurityTestHost.Get<IEgressAddressPolicy>(settings.ToDictionary(s => s.Key, s => s.Value));

    // The SSRF corpus: every spelling of an internal address IPAddress can produce, with the range
    // the denial must name (BL-01, BL-05, BL-06, BL-07, BL-15).
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.0/8 (loopback)")]
    [InlineData("127.1", "127.0.0.0/8 (loopback)")]
    [InlineData("2130706433", "127.0.0.0/8 (loopback)")]
    [InlineData("0x7f.0.0.1", "127.0.0.0/8 (loopback)")]
    [InlineData("127.255.255.254", "127.0.0.0/8 (loopback)")]
    [InlineData("10.0.0.1", "10.0.0.0/8 (private network")]
    [InlineData("172.16.0.1", "172.16.0.0/12 (private network")]
    [InlineData("172.31.255.255", "172.16.0.0/12")]
    [InlineData("192.168.1.1", "192.168.0.0/16")]
    [InlineData("100.64.0.1", "100.64.0.0/10 (carrier-grade NAT")]
    [InlineData("100.127.255.255", "100.64.0.0/10")]
    [InlineData("192.0.0.8", "192.0.0.0/24")]
    [InlineData("169.254.169.254", "169.254.0.0/16 (link-local")]
    [InlineData("192.88.99.1", "192.88.99.0/24")]
    [InlineData("198.18.0.1", "198.18.0.0/15")]
    [InlineData("198.19.255.255", "198.18.0.0/15")]
    [InlineData("192.0.2.1", "192.0.2.0/24")]
    [InlineData("198.51.100.7", "198.51.100.0/24")]
    [InlineData("203.0.113.9", "203.0.113.0/24")]
    [InlineData("224.0.0.1", "224.0.0.0/4 (multicast)")]
    [InlineData("239.255.255.250", "224.0.0.0/4")]
    [InlineData("0.1.2.3", "0.0.0.0/8")]
    [InlineData("240.0.0.1", "240.0.0.0/4")]
    [InlineData("255.255.255.255", "240.0.0.0/4 (reserved, incl. broadcast")]
    [InlineData("::1", "::1/128 (loopback)")]
    [InlineData("0:0:0:0:0:0:0:1", "::1/128 (loopback)")]
    [InlineData("fe80::1", "fe80::/10 (link-local)")]
    [InlineData("fe80::1%1", "fe80::/10 (link-local)")]
    [InlineData("febf::1", "fe80::/10")]
    [InlineData("fc00::1", "fc00::/7 (unique local)")]
    [InlineData("fd12:3456:789a::1", "fc00::/7")]
    [InlineData("fec0::1", "fec0::/10")]
    [InlineData("2001:db8::1", "2001:db8::/32 (documentation)")]
    [InlineData("ff02::1", "ff00::/8 (multicast)")]
    [InlineData("::ffff:127.0.0.1", "127.0.0.0/8 (loopback)")]
    [InlineData("::ffff:7f00:1", "127.0.0.0/8 (loopback)")]
    [InlineData("::ffff:10.0.0.1", "10.0.0.0/8")]
    [InlineData("::ffff:169.254.169.254", "169.254.0.0/16")]
    [InlineData("::127.0.0.1", "IPv4-compatible form of 127.0.0.0/8 (loopback)")]
    [InlineData("::10.0.0.1", "IPv4-compatible form of 10.0.0.0/8")]
    [InlineData("2002:7f00:1::1", "6to4 form of 127.0.0.0/8 (loopback)")]
    [InlineData("2002:a00:1::", "6to4 form of 10.0.0.0/8")]
    [InlineData("2002:c0a8:101::1", "6to4 form of 192.168.0.0/16")]
    [InlineData("2002:a9fe:a9fe::1", "6to4 form of 169.254.0.0/16")]
    [InlineData("64:ff9b::a00:1", "embeds 10.0.0.1 (NAT64 64:ff9b::/96), and 10.0.0.0/8")]
    [InlineData("64:ff9b::7f00:1", "embeds 127.0.0.1 (NAT64")]
    [InlineData("64:ff9b::169.254.169.254", "embeds 169.254.169.254 (NAT64")]
    [InlineData("2001:0:a00:1::", "embeds 10.0.0.1 (Teredo 2001::/32), and 10.0.0.0/8")]
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe", "embeds 10.0.0.1 (Teredo 2001::/32)")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", "embeds 192.0.2.45 (Teredo")]
    public void IsAllowed_InternalAddress_DeniedNamingTheRange(string address, string expectedInReason)
    {
        var policy = Policy();
        Assert.False(policy.IsAllowed(IPAddress.Parse(address), out var reason));
        Assert.Contains(expectedInReason, reason);
        Assert.Contains("is in the deny list", reason);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("::ffff:0.0.0.0")]
    public void IsAllowed_Unspecified_DeniedEvenWhenAllowedAndDefaultsOff(string address)
    {
        var policy = Policy(
            ("IpPolicy:UseDefaultDenyList", "false"),
            ("IpPolicy:AllowRanges:0", "0.0.0.0/0"),
            ("IpPolicy:AllowRanges:1", "::/0"));
        Assert.False(policy.IsAllowed(IPAddress.Parse(address), out var reason));
        Assert.Contains("unspecified address and is always denied", reason);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.169.0.0")]
    [InlineData("198.20.0.0")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:4700::1111")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    [InlineData("2001:0:4136:e378:8000:63bf:f7f7:f7f7")]
    public void IsAllowed_PublicAddress_Allowed(string address)
    {
        Assert.True(Policy().IsAllowed(IPAddress.Parse(address), out var reason));
        Assert.Equal(string.Empty, reason);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    [InlineData("::ffff:127.0.0.1")]
    public void IsAllowed_AllowRange_BeatsDeny(string address)
    {
        var policy = Policy(("IpPolicy:AllowRanges:0", "127.0.0.0/8"));
        Assert.True(policy.IsAllowed(IPAddress.Parse(address), out _));
        Assert.False(policy.IsAllowed(IPAddress.Parse("10.0.0.1"), out _));
        Assert.False(policy.IsAllowed(IPAddress.Parse("::1"), out _));
    }

    [Fact]
    public void IsAllowed_AllowedIPv4_AlsoAllowedThroughNat64()
    {
        var policy = Policy(("IpPolicy:AllowRanges:0", "10.0.0.0/8"));
        Assert.True(policy.IsAllowed(IPAddress.Parse("64:ff9b::a00:1"), out _));
        Assert.False(policy.IsAllowed(IPAddress.Parse("64:ff9b::7f00:1"), out _));
    }

    [Fact]
    public void IsAllowed_ExtraDenyRange_DeniedInEveryForm()
    {
        var policy = Policy(("IpPolicy:DenyRanges:0", "8.8.8.0/24"));
        foreach (var address in new[] { "8.8.8.8", "::ffff:8.8.8.8", "::8.8.8.8", "2002:808:808::1", "64:ff9b::808:808" })
        {
            Assert.False(policy.IsAllowed(IPAddress.Parse(address), out var reason), address);
            Assert.Contains("8.8.8.0/24 (IpPolicy:DenyRanges)", reason);
        }

        Assert.False(policy.IsAllowed(IPAddress.Parse("127.0.0.1"), out _));
        Assert.True(policy.IsAllowed(IPAddress.Parse("8.8.4.4"), out _));
    }

    [Fact]
    public void IsAllowed_DefaultListOff_OnlyExtraRangesAndUnspecifiedDenied()
    {
        var policy = Policy(("IpPolicy:UseDefaultDenyList", "false"), ("IpPolicy:DenyRanges:0", "10.0.0.0/8"));
        Assert.True(policy.IsAllowed(IPAddress.Parse("127.0.0.1"), out _));
        Assert.True(policy.IsAllowed(IPAddress.Parse("::1"), out _));
        Assert.False(policy.IsAllowed(IPAddress.Parse("10.1.1.1"), out _));
        Assert.False(policy.IsAllowed(IPAddress.Parse("0.0.0.0"), out _));
    }

    [Fact]
    public void IsAllowed_Denial_CountedWithReasonAddress()
    {
        var policy = Policy();
        using var recorder = new DenialMetricRecorder();

        policy.IsAllowed(IPAddress.Parse("8.8.8.8"), out _);
        policy.IsAllowed(IPAddress.Parse("127.0.0.1"), out _);
        policy.IsAllowed(IPAddress.Parse("::1"), out _);

        Assert.Equal(["forbidden_range", "forbidden_range"], recorder.Reasons);
    }

    [Theory]
    [InlineData("IpPolicy:AllowRanges:0", "127.0.0.0/8", "IpPolicy:AllowRanges:1", "x", "IpPolicy:AllowRanges:1 'x' is not a CIDR")]
    [InlineData("IpPolicy:DenyRanges:0", "10.0.0.1/8", "IpPolicy:DenyRanges:1", "::/0", "IpPolicy:DenyRanges:0 '10.0.0.1/8' is not a CIDR: host bits are set")]
    [InlineData("IpPolicy:AllowRanges:0", "127.0.0.0/8", "IpPolicy:AllowRanges:1", "10.0.0.0/40", "IpPolicy:AllowRanges:1 '10.0.0.0/40' is not a CIDR: the prefix length")]
    public void Startup_BadCidr_FailsNamingTheKey(string key1, string value1, string key2, string value2, string expected)
    {
        var error = SecurityTestHost.StartupError(new Dictionary<string, string?> { [key1] = value1, [key2] = value2 });
        Assert.NotNull(error);
        Assert.Contains(expected, error);
    }
}
