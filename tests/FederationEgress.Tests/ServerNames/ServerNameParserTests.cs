using FederationEgress.ServerNames;

namespace FederationEgress.Tests.ServerNames;

public sealed class ServerNameParserTests
{
    [Theory]
    [InlineData("localhost", "localhost", HostKind.DnsName, null)]
    [InlineData("my-example.com:1234", "my-example.com", HostKind.DnsName, 1234)]
    [InlineData("1.2.3.4", "1.2.3.4", HostKind.IPv4, null)]
    [InlineData("[0abc:1def::1234]", "[0abc:1def::1234]", HostKind.IPv6, null)]
    [InlineData("1.2.3.4:1", "1.2.3.4", HostKind.IPv4, 1)]
    [InlineData("[0abc:1def::1234]:8080", "[0abc:1def::1234]", HostKind.IPv6, 8080)]
    [InlineData("[::ffff:1.2.3.4]:8448", "[::ffff:1.2.3.4]", HostKind.IPv6, 8448)]
    [InlineData("Example.COM", "Example.COM", HostKind.DnsName, null)]
    [InlineData("Example.COM:8448", "Example.COM", HostKind.DnsName, 8448)]
    [InlineData("example.com:65535", "example.com", HostKind.DnsName, 65535)]
    public void TryParse_ValidName_SplitsHostAndPort(string input, string host, HostKind kind, int? port)
    {
        Assert.True(ServerNameParser.TryParse(input, out var name, out var error), error);
        Assert.Equal(input, name.Value);
        Assert.Equal(host, name.Host);
        Assert.Equal(kind, name.Kind);
        Assert.Equal(port, name.Port);
        Assert.Equal(kind != HostKind.DnsName, name.Address is not null);
    }

    [Theory]
    [InlineData("")]
    [InlineData("localhost:http")]
    [InlineData("1234]")]
    [InlineData("[1234")]
    [InlineData("[1.2.3.4]")]
    [InlineData("underscore_.com")]
    [InlineData("percent%65.com")]
    [InlineData("newline.com\n")]
    [InlineData(".empty-label.com")]
    [InlineData("1234:5678:80")]
    [InlineData(":80")]
    [InlineData("example.com:0")]
    [InlineData("example.com:65536")]
    [InlineData("example.com:99999")]
    [InlineData("example.com:123456")]
    [InlineData("example.com.")]
    [InlineData("[fe80::1%25eth0]")]
    [InlineData("[::1]x")]
    [InlineData("[::1]:")]
    [InlineData("1.2.3.256")]
    [InlineData("a..b")]
    [InlineData("example.com/..")]
    [InlineData("exa mple.com")]
    [InlineData("[]")]
    public void TryParse_InvalidName_Rejected(string input)
    {
        Assert.False(ServerNameParser.TryParse(input, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void TryParse_OverlongName_Rejected()
    {
        Assert.False(ServerNameParser.TryParse(new string('a', 256), out _, out var error));
        Assert.Contains("long", error);
    }

    [Fact]
    public void TryParse_OverlongLabel_Rejected()
    {
        Assert.False(ServerNameParser.TryParse(new string('a', 64) + ".com", out _, out var error));
        Assert.Contains("63", error);
    }

    [Theory]
    [InlineData("bücher.com", "xn--bcher-kva.com")]
    [InlineData("bücher.com:8448", "xn--bcher-kva.com:8448")]
    [InlineData("テスト.ドメイン.テスト", "xn--zckzah.xn--eckwd4c7c.xn--zckzah")]
    public void TryParse_UnicodeName_ConvertedWithIdna(string input, string expected)
    {
        Assert.True(ServerNameParser.TryParse(input, out var name, out var error), error);
        Assert.Equal(expected, name.Value);
    }

    [Fact]
    public void DnsHost_MixedCase_LowerCasedForLookups()
    {
        var name = ServerName.Parse("Example.COM:8448");
        Assert.Equal("Example.COM:8448", name.Value);
        Assert.Equal("example.com", name.DnsHost);
    }
}
