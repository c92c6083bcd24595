using System.Net;
using System.Text.Json;
using FederationEgress.Forwarding;
using FederationEgress.Testing.Fakes;
using FederationEgress.Testing.Hosting;
using FederationEgress.Testing.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.Tests.Forwarding;

/// <summary>A front end's <see cref="ForwardingProfile"/> decides forwarded headers and the error format.</summary>
public sealed class ForwardingProfileTests(TestCaFixture fixture) : IClassFixture<TestCaFixture>
{
    private static readonly ForwardingProfile Synapse = new(
        "synapse-like",
        new HashSet<string>(["Authorization", "Content-Type", "User-Agent"], StringComparer.OrdinalIgnoreCase),
        errorMessageKey: "err",
        failureStatusOverride: 502,
        failureErrCodeOverride: "M_UNKNOWN");

    private CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Profile_HeaderAllowList_OnlyListedHeadersAreForwarded()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await StartAsync();
        proxy.Resolver.Map(name, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version", configure: request =>
        {
            request.Headers.TryAddWithoutValidation("Authorization", "X-Matrix origin=\"a\"");
            request.Headers.TryAddWithoutValidation("X-Not-Listed", "1");
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(server.Requests);
        Assert.Equal("X-Matrix origin=\"a\"", seen.Headers["authorization"]);
        Assert.False(seen.Headers.ContainsKey("x-not-listed"));
    }

    [Fact]
    public async Task Profile_FailureOverrides_DeniedAddressIs502WithErrKey()
    {
        await using var proxy = await StartAsync(RangeAddressPolicy.LoopbackExcept("127.0.0.70/32"));
        proxy.Resolver.Map("127.0.0.70:8448", new IPEndPoint(IPAddress.Parse("127.0.0.70"), 8448));

        using var response = await proxy.SendAsync(HttpMethod.Get, "/127.0.0.70:8448/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("M_UNKNOWN", json.RootElement.GetProperty("errcode").GetString());
        Assert.StartsWith("address policy:", json.RootElement.GetProperty("err").GetString());
        Assert.False(json.RootElement.TryGetProperty("error", out _));
    }

    private Task<TestProxy> StartAsync(RangeAddressPolicy? policy = null) =>
        TestProxy.StartAsync(null, policy, builder => builder.Services.AddSingleton<IStartupFilter, SynapseProfileFilter>(), fixture.TrustSetting);

    /// <summary>Plays a front end: marks every request with the Synapse-like profile.</summary>
    private sealed class SynapseProfileFilter : IStartupFilter, IForwardingProfileFeature
    {
        public ForwardingProfile Profile => Synapse;

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Features.Set<IForwardingProfileFeature>(this);
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
