using System.Net;
using FederationEgress.Security.Tls;

namespace FederationEgress.Tests.Security.Tls;

public sealed class SkipVerificationListTests
{
    private static readonly SkipVerificationList List = SkipVerificationList.Parse(
        ["*.onion", "test.example", "10.20.0.0/16", "fd00:1234::/32", "192.0.2.7"]);

    [Theory]
    [InlineData("abc.onion", null, "*.onion")]
    [InlineData("TEST.example", null, "test.example")]
    [InlineData("public.example", "10.20.30.40", "10.20.0.0/16")]
    [InlineData("public.example", "::ffff:10.20.30.40", "10.20.0.0/16")]
    [InlineData("public.example", "fd00:1234:5::1", "fd00:1234::/32")]
    [InlineData(null, "192.0.2.7", "192.0.2.7/32")]
    [InlineData("10.20.1.1", "10.20.1.1", "10.20.0.0/16")]
    public void Matches_ListedNameOrNetwork_NamesTheEntry(string? tlsName, string? remote, string entry)
    {
        Assert.True(List.Matches(tlsName, remote is null ? null : IPAddress.Parse(remote), out var matched));
        Assert.Equal(entry, matched);
    }

    [Theory]
    [InlineData("onion", null)]
    [InlineData("test.example.com", null)]
    [InlineData("public.example", "10.21.0.1")]
    [InlineData("public.example", "fd00:1235::1")]
    [InlineData("public.example", null)]
    [InlineData(null, null)]
    [InlineData("[fd00:1234::1]", null)]
    public void Matches_Unlisted_False(string? tlsName, string? remote)
    {
        Assert.False(List.Matches(tlsName, remote is null ? null : IPAddress.Parse(remote), out _));
    }

    [Fact]
    public void Parse_BadEntries_ReportsEachWithKey()
    {
        var failures = new List<string>();
        SkipVerificationList.TryParse(["ok.example", "bücher.example", "300.0.0.0/8", "a b"], failures);

        Assert.Equal(3, failures.Count);
        Assert.StartsWith("Tls:SkipVerification:1 'bücher.example' is not a domain pattern", failures[0]);
        Assert.StartsWith("Tls:SkipVerification:2 '300.0.0.0/8' is not a CIDR", failures[1]);
        Assert.StartsWith("Tls:SkipVerification:3 'a b' is not a domain pattern", failures[2]);
    }
}
