using static FederationEgress.Tests.FrontEnds.Synapse.SynapseFrontEndTests;

namespace FederationEgress.Tests.FrontEnds.Synapse;

/// <summary>Proxy-Authorization handling, exactly as Synapse's ProxyResource answers (PX-02).</summary>
public sealed class SynapseAuthTests : IAsyncLifetime
{
    private const string MissingBody = """{"errcode":"M_MISSING_TOKEN","err":"Missing Proxy-Authorization header."}""";
    private const string TooManyBody = """{"errcode":"M_UNAUTHORIZED","err":"Too many Proxy-Authorization headers."}""";
    private const string InvalidBody = """{"errcode":"M_UNAUTHORIZED","err":"Invalid Proxy-Authorization header."}""";
    private SynapseTestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await SynapseTestHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("", MissingBody)]
    [InlineData("Proxy-Authorization: Bearer secret_secret\r\nProxy-Authorization: Bearer secret_secret\r\n", TooManyBody)]
    [InlineData("Proxy-Authorization: Bearer other\r\n", InvalidBody)]
    [InlineData("Proxy-Authorization: Bearer secret_secre\r\n", InvalidBody)]
    [InlineData("Proxy-Authorization: Bearer secret_secretX\r\n", InvalidBody)]
    [InlineData("Proxy-Authorization: bearer secret_secret\r\n", InvalidBody)]
    [InlineData("Proxy-Authorization: Basic secret_secret\r\n", InvalidBody)]
    [InlineData("Proxy-Authorization: secret_secret\r\n", InvalidBody)]
    [InlineData("Proxy-Authorization: Bearer  secret_secret\r\n", InvalidBody)]
    [InlineData("Proxy-Authorization:\r\n", InvalidBody)]
    public async Task ProxyAuthorization_NotExactlyOneValidBearer_401WithSynapseBodyAndNothingForwarded(string authLines, string expectedBody)
    {
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);
        await client.SendAsync(SynapseRequest(auth: authLines));

        var response = await client.ReadResponseAsync();

        Assert.NotNull(response);
        Assert.Equal(401, response.Status);
        Assert.Equal("application/json", response.Header("Content-Type"));
        Assert.Equal(expectedBody, response.BodyText);
        Assert.Empty(_host.Seen);
    }

    [Fact]
    public async Task Unauthorized_ThenAuthorized_SameKeepAliveConnectionContinues()
    {
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);
        await client.SendAsync(SynapseRequest(auth: "Proxy-Authorization: Bearer wrong\r\n", body: "unauthorised body"));
        Assert.Equal(401, (await client.ReadResponseAsync())!.Status);

        await client.SendAsync(SynapseRequest(body: "ok"));
        var response = await client.ReadResponseAsync();

        Assert.Equal(200, response!.Status);
        Assert.Equal("ok", Assert.Single(_host.Seen).Body);
    }
}
