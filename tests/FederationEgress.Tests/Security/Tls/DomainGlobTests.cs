using FederationEgress.Security.Tls;

namespace FederationEgress.Tests.Security.Tls;

public sealed class DomainGlobTests
{
    // TL-03: Synapse's glob semantics: '*' any run (dots included, may be empty), '?' one char, anchored, case-insensitive.
    [Theory]
    [InlineData("example.com", "example.com", true)]
    [InlineData("example.com", "EXAMPLE.com", true)]
    [InlineData("example.com", "notexample.com", false)]
    [InlineData("example.com", "example.com.evil", false)]
    [InlineData("*.example.com", "a.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", ".example.com", true)]
    [InlineData("*example.com", "example.com", true)]
    [InlineData("*example.com", "notexample.com", true)]
    [InlineData("ex?mple.com", "exAmple.com", true)]
    [InlineData("ex?mple.com", "exmple.com", false)]
    [InlineData("*", "anything.at.all", true)]
    [InlineData("*", "", true)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("*.xn--eckwd4c7c.xn--zckzah", "a.xn--eckwd4c7c.xn--zckzah", true)]
    [InlineData("*.xn--eckwd4c7c.xn--zckzah", "a.テスト.xn--zckzah", false)]
    [InlineData("**.example.com", "x.example.com", true)]
    public void IsMatch_Glob_AnchoredCaseInsensitive(string pattern, string name, bool expected)
    {
        Assert.True(DomainGlob.TryParse(pattern, out var glob, out var error), error);
        Assert.Equal(expected, glob.IsMatch(name));
    }

    [Fact]
    public void IsMatch_PathologicalPattern_Completes()
    {
        Assert.True(DomainGlob.TryParse(string.Concat(Enumerable.Repeat("*a", 30)) + "b", out var glob, out _));
        Assert.False(glob.IsMatch(new string('a', 250)));
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("テスト.ドメイン.テスト", "A-labels")]
    [InlineData("bücher.example", "A-labels")]
    [InlineData("exa mple.com", "' '")]
    [InlineData("example.com:8448", "':'")]
    public void TryParse_Invalid_Explains(string pattern, string expected)
    {
        Assert.False(DomainGlob.TryParse(pattern, out _, out var error));
        Assert.Contains(expected, error);
    }
}
