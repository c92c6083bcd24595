using FederationEgress.Security.Destinations;
using FederationEgress.ServerNames;

namespace FederationEgress.Tests.Security.Destinations;

public sealed class DestinationPolicyTests
{
    private static IDestinationPolicy Policy(string[] allow, string[] deny)
    {
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < allow.Length; i++)
        {
            settings[$"Destinations:Allow:{i}"] = allow[i];
        }

        for (var i = 0; i < deny.Length; i++)
        {
            settings[$"Destinations:Deny:{i}"] = deny[i];
        }

        return SecurityTestHost.Get<IDestinationPolicy>(settings);
    }

    [Theory]
    [InlineData("example.org")]
    [InlineData("1.2.3.4:8448")]
    [InlineData("[::1]")]
    public void IsAllowed_NoLists_AllowsEverything(string name)
    {
        Assert.True(Policy([], []).IsAllowed(ServerName.Parse(name), out var reason));
        Assert.Empty(reason);
    }

    // NM-09 generalised: exact names, *.suffix, case-insensitive hosts, significant ports.
    [Theory]
    [InlineData("lon.example.com", true)]
    [InlineData("LON.Example.COM", true)]
    [InlineData("lon.example.com:8448", true)]
    [InlineData("nyc.example.com", false)]
    [InlineData("a.matrix.org", true)]
    [InlineData("a.b.matrix.org", true)]
    [InlineData("matrix.org", false)]
    [InlineData("evilmatrix.org", false)]
    [InlineData("ported.example:8448", true)]
    [InlineData("ported.example:443", false)]
    [InlineData("ported.example", false)]
    [InlineData("x.ported.example:8443", true)]
    [InlineData("x.ported.example", false)]
    [InlineData("1.2.3.4", true)]
    [InlineData("1.2.3.5", false)]
    [InlineData("[2001:db8::1]", true)]
    [InlineData("[2001:DB8:0::1]:8448", true)]
    [InlineData("xn--bcher-kva.example", true)]
    [InlineData("bücher.example", true)]
    public void IsAllowed_AllowList_MatchesEntries(string name, bool expected)
    {
        var policy = Policy(
            ["lon.example.com", "*.matrix.org", "ported.example:8448", "*.ported.example:8443", "1.2.3.4", "[2001:db8::1]", "bücher.example"],
            []);

        Assert.Equal(expected, policy.IsAllowed(ServerName.Parse(name), out var reason));
        if (!expected)
        {
            Assert.Equal($"destination {ServerName.Parse(name)} is not in Destinations:Allow", reason);
        }
    }

    [Theory]
    [InlineData("bad.example", false)]
    [InlineData("BAD.example:8448", false)]
    [InlineData("x.evil.example", false)]
    [InlineData("evil.example", true)]
    [InlineData("good.example", true)]
    public void IsAllowed_DenyList_Refuses(string name, bool expected)
    {
        Assert.Equal(expected, Policy([], ["bad.example", "*.evil.example"]).IsAllowed(ServerName.Parse(name), out _));
    }

    [Fact]
    public void IsAllowed_DenyWinsOverAllow()
    {
        var policy = Policy(["*.example.org"], ["bad.example.org"]);

        Assert.True(policy.IsAllowed(ServerName.Parse("good.example.org"), out _));
        Assert.False(policy.IsAllowed(ServerName.Parse("bad.example.org"), out var reason));
        Assert.Equal("destination bad.example.org matches 'bad.example.org' in Destinations:Deny", reason);
    }

    [Fact]
    public void IsAllowed_Denial_CountedWithReasonDestination()
    {
        var policy = Policy(["ok.example"], []);
        using var recorder = new DenialMetricRecorder();

        policy.IsAllowed(ServerName.Parse("ok.example"), out _);
        policy.IsAllowed(ServerName.Parse("other.example"), out _);

        Assert.Equal(["destination_denied"], recorder.Reasons);
    }

    [Theory]
    [InlineData("Destinations:Allow:0", "not a name!", "Destinations:Allow:0 'not a name!' is not a server name or *.suffix pattern")]
    [InlineData("Destinations:Deny:0", "*", "Destinations:Deny:0 '*' is not a server name or *.suffix pattern")]
    [InlineData("Destinations:Deny:0", "*.1.2.3.4", "Destinations:Deny:0 '*.1.2.3.4' is a *.suffix pattern over an IP literal")]
    [InlineData("Destinations:Allow:0", "example.org:0", "Destinations:Allow:0 'example.org:0' is not a server name")]
    [InlineData("Destinations:Allow:0", "ex*ample.org", "Destinations:Allow:0 'ex*ample.org'")]
    public void Startup_BadEntry_FailsNamingTheKey(string key, string value, string expected)
    {
        var error = SecurityTestHost.StartupError(new Dictionary<string, string?> { [key] = value });
        Assert.NotNull(error);
        Assert.Contains(expected, error);
    }
}
