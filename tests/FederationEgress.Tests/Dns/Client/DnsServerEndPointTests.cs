using FederationEgress.Dns.Client;

namespace FederationEgress.Tests.Dns.Client;

public sealed class DnsServerEndPointTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1:53")]
    [InlineData(" 127.0.0.1:5353 ", "127.0.0.1:5353")]
    [InlineData("[::1]:5353", "[::1]:5353")]
    [InlineData("[::1]", "[::1]:53")]
    [InlineData("::1", "[::1]:53")]
    [InlineData("2001:db8::1", "[2001:db8::1]:53")]
    public void TryParse_Valid_EndPoint(string text, string expected)
    {
        Assert.True(DnsServerEndPoint.TryParse(text, out var endPoint, out var error), error);
        Assert.Equal(expected, endPoint.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("dns.example.org")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:dns")]
    [InlineData("[::1")]
    [InlineData("[::1]:")]
    [InlineData("[127.0.0.1]:53")]
    [InlineData("::1:53x")]
    [InlineData("1")]
    public void TryParse_Invalid_ErrorExplains(string text)
    {
        Assert.False(DnsServerEndPoint.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }
}
