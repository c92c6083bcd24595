using System.Text;
using FederationEgress.Discovery.WellKnown;

namespace FederationEgress.Tests.Discovery;

/// <summary>Classification of a 200 well-known body (pure part of the fetcher).</summary>
public sealed class WellKnownParseTests
{
    [Theory]
    [InlineData("{\"m.server\":\"target-server\"}", "target-server", null)]
    [InlineData("{\"m.server\":\"target-server:8448\"}", "target-server", 8448)]
    [InlineData("{\"m.server\":\"[2a01:4f8::1]:443\"}", "[2a01:4f8::1]", 443)]
    [InlineData("{\"m.server\":\"42.42.42.42\"}", "42.42.42.42", null)]
    [InlineData("{\"foo\":1,\"m.server\":\"Target.Example\"}", "Target.Example", null)]
    public void Parse_ValidBody_GivesTheDelegation(string body, string host, int? port)
    {
        var result = WellKnownFetcher.Parse("https://x/.well-known/matrix/server", Encoding.UTF8.GetBytes(body), null, []);

        Assert.Equal(WellKnownOutcome.Valid, result.Outcome);
        Assert.Equal(host, result.Delegation!.Host);
        Assert.Equal(port, result.Delegation.Port);
    }

    [Theory]
    [InlineData("{\"m.server\":\"tar get\"}", "not a server name")]
    [InlineData("{\"m.server\":\"b\u00fccher.de\"}", "non-ASCII")]
    [InlineData("{\"m.server\":true}", "not a string")]
    [InlineData("{\"m.server\":\"\"}", "empty")]
    [InlineData("{}", "missing")]
    [InlineData("[1]", "not an object")]
    [InlineData("{\"m.server\":", "not JSON")]
    public void Parse_InvalidBody_IsAPermanentFailureSayingWhy(string body, string reason)
    {
        var result = WellKnownFetcher.Parse("https://x/.well-known/matrix/server", Encoding.UTF8.GetBytes(body), TimeSpan.FromHours(1), []);

        Assert.Equal(WellKnownOutcome.PermanentFailure, result.Outcome);
        Assert.Null(result.Delegation);
        Assert.Contains(reason, result.Message);
    }

    [Fact]
    public void Parse_ValidBody_KeepsTheHeaderPeriod()
    {
        var result = WellKnownFetcher.Parse("https://x/.well-known/matrix/server", "{\"m.server\":\"a\"}"u8.ToArray(), TimeSpan.FromSeconds(1234), []);

        Assert.Equal(TimeSpan.FromSeconds(1234), result.HeaderCachePeriod);
    }
}
