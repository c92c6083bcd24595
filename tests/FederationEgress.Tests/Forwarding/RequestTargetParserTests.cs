using FederationEgress.Errors;
using FederationEgress.Forwarding;

namespace FederationEgress.Tests.Forwarding;

public sealed class RequestTargetParserTests
{
    [Theory]
    [InlineData("/example.org/_matrix/x", "example.org", "/_matrix/x")]
    [InlineData("/example.org:8448/_matrix/x?a=%2F", "example.org:8448", "/_matrix/x?a=%2F")]
    [InlineData("/1.2.3.4/x", "1.2.3.4", "/x")]
    [InlineData("/[2001:db8::1]:8448/x%2Fy", "[2001:db8::1]:8448", "/x%2Fy")]
    [InlineData("/%5B2001%3Adb8%3A%3A1%5D%3A8448/x", "[2001:db8::1]:8448", "/x")]
    [InlineData("/%5b2001%3adb8%3a%3a1%5d/x", "[2001:db8::1]", "/x")]
    [InlineData("/example.org%3A8448/x", "example.org:8448", "/x")]
    [InlineData("/example.org/", "example.org", "/")]
    [InlineData("/example.org//a//", "example.org", "//a//")]
    [InlineData("/example.org/a/..b/c.", "example.org", "/a/..b/c.")]
    [InlineData("/example.org/a/...", "example.org", "/a/...")]
    [InlineData("/example.org/a?x=/../y", "example.org", "/a?x=/../y")]
    [InlineData("/b%C3%BCcher.example/x", "xn--bcher-kva.example", "/x")]
    public void TryParse_ValidTarget_SplitsServerNameAndKeepsTheRestVerbatim(string raw, string serverName, string rest)
    {
        Assert.True(RequestTargetParser.TryParse(raw, out var target, out var error), error?.ToString());
        Assert.Equal(serverName, target.ServerName.Value);
        Assert.Equal(rest, target.PathAndQuery);
    }

    [Theory]
    [InlineData("", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("*", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("https://example.org/x", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("matrix-federation://example.org/x", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("example.org:443", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("/example.org", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("/example.org?x=1", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("//x", EgressErrorKind.InvalidServerName)]
    [InlineData("/", EgressErrorKind.InvalidServerName)]
    [InlineData("/example.org/a/../b", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("/example.org/..", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("/example.org/./a", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("/example.org/a/%2e%2e/b", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("/example.org/a/%2E/b", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("/example.org/a/.%2e", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("/example.org/a/%2e.?q", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("/example.org/a#frag", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("/example.org/a\r\nX-Injected: 1", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("/example.org/a\0", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("/example.org/a\tb", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("/example.org/a b", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("/example.org/\u00e9", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("/example.org/a%2", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("/example.org/a%zz", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("/exa%mple.org/a", EgressErrorKind.InvalidRequestTarget)]
    [InlineData("/example..org/a", EgressErrorKind.InvalidServerName)]
    [InlineData("/example.org:0/a", EgressErrorKind.InvalidServerName)]
    [InlineData("/example.org:65536/a", EgressErrorKind.InvalidServerName)]
    [InlineData("/example.org:/a", EgressErrorKind.InvalidServerName)]
    [InlineData("/[2001:db8::1/a", EgressErrorKind.InvalidServerName)]
    [InlineData("/%5B%3A%3A1/a", EgressErrorKind.InvalidServerName)]
    [InlineData("/ex_ample.org/a", EgressErrorKind.InvalidServerName)]
    [InlineData("/user@example.org/a", EgressErrorKind.InvalidServerName)]
    [InlineData("/example.org%2Fevil/a", EgressErrorKind.InvalidServerName)]
    [InlineData("/example.org%00/a", EgressErrorKind.InvalidServerName)]
    [InlineData("/%C3%28/a", EgressErrorKind.InvalidServerName)]
    public void TryParse_InvalidTarget_IsRejectedWithKind(string raw, EgressErrorKind kind)
    {
        Assert.False(RequestTargetParser.TryParse(raw, out _, out var error));
        Assert.Equal(kind, error.Kind);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void TryParse_HugeServerNameSegment_IsRejected()
    {
        var raw = "/" + new string('a', 10_000) + "/x";

        Assert.False(RequestTargetParser.TryParse(raw, out _, out var error));
        Assert.Equal(EgressErrorKind.InvalidServerName, error.Kind);
    }
}
