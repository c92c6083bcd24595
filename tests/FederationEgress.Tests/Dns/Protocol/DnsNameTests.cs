using FederationEgress.Dns.Protocol;

namespace FederationEgress.Tests.Dns.Protocol;

public sealed class DnsNameTests
{
    [Theory]
    [InlineData("example.org", "EXAMPLE.org", true)]
    [InlineData("example.org.", "example.org", true)]
    [InlineData("example.org", "example.com", false)]
    [InlineData("a\\.", "a", false)]
    [InlineData(".", ".", true)]
    public void Equals_ComparesAsciiCaseInsensitivelyIgnoringTrailingDot(string a, string b, bool expected)
    {
        Assert.Equal(expected, DnsName.Equals(a, b));
    }

    [Theory]
    [InlineData("Example.ORG.", "example.org")]
    [InlineData("example.org", "example.org")]
    [InlineData(".", ".")]
    [InlineData("a\\.", "a\\.")]
    public void Normalize_LowerCasesAndTrims(string input, string expected)
    {
        Assert.Equal(expected, DnsName.Normalize(input));
        Span<char> buffer = stackalloc char[64];
        Assert.True(DnsName.TryNormalize(input, buffer, out var written));
        Assert.Equal(expected, buffer[..written].ToString());
    }

    [Fact]
    public void Normalize_AlreadyNormal_ReturnsSameInstance()
    {
        var name = "example.org";

        Assert.Same(name, DnsName.Normalize(name));
    }

    [Theory]
    [InlineData("a.b.c", 3)]
    [InlineData("a.b.c.", 3)]
    [InlineData(".", 0)]
    [InlineData("a\\.b.c", 2)]
    [InlineData("\\065\\066.c", 2)]
    public void TryParseLabels_ValidNames_SplitOnUnescapedDots(string name, int labels)
    {
        Assert.True(DnsName.TryParseLabels(name, out var parsed, out var error), error);
        Assert.Equal(labels, parsed.Count);
    }
}
