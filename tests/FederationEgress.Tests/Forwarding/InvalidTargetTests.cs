using System.Net;
using FederationEgress.Testing.Hosting;
using FederationEgress.Testing.Tls;

namespace FederationEgress.Tests.Forwarding;

/// <summary>Bad targets are answered 400 by the proxy itself: no discovery, no socket to any remote.</summary>
public sealed class InvalidTargetTests(TestCaFixture fixture) : IClassFixture<TestCaFixture>
{
    [Theory]
    [InlineData("GET", "/{name}")]
    [InlineData("GET", "/{name}?a=b")]
    [InlineData("GET", "/{name}/a/../b")]
    [InlineData("GET", "/{name}/a/%2e%2e/b")]
    [InlineData("GET", "/{name}/./b")]
    [InlineData("GET", "/{name}/a%zz")]
    [InlineData("GET", "/{name}/a#frag")]
    [InlineData("GET", "/{name}/a\u0001b")]
    [InlineData("GET", "https://{name}/a")]
    [InlineData("OPTIONS", "*")]
    [InlineData("CONNECT", "{name}")]
    [InlineData("GET", "//a")]
    [InlineData("GET", "/not_valid!/a")]
    [InlineData("GET", "/ex..ample/a")]
    [InlineData("GET", "/127.0.0.1:0/a")]
    [InlineData("GET", "/127.0.0.1:99999/a")]
    [InlineData("GET", "/%5B%3A%3A1/a")]
    [InlineData("GET", "/127.0.0.1%2Fx/a")]
    public async Task Send_InvalidTarget_Returns400AndOpensNoSocket(string method, string template)
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map(name, server.EndPoint);

        var response = await RawHttp.SendAsync(proxy.ForwardingEndPoint, method, template.Replace("{name}", name), TestContext.Current.CancellationToken);

        Assert.Equal(400, response.StatusCode);
        Assert.Equal(0, proxy.Resolver.Lookups);
        Assert.Equal(0, server.ConnectionCount);
    }

    [Fact]
    public async Task Send_InvalidServerName_BodyIsJsonNamingTheServerNameStep()
    {
        await using var proxy = await TestProxy.StartAsync();

        using var response = await proxy.SendAsync(HttpMethod.Get, "/bad_name.example/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("\"errcode\":\"M_INVALID_PARAM\"", body);
        Assert.Contains("\"error\":\"server name: ", body);
        Assert.Equal(0, proxy.Resolver.Lookups);
    }
}
