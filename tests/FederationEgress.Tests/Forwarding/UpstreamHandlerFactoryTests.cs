using System.Net;
using FederationEgress.Discovery;
using FederationEgress.Dns;
using FederationEgress.Errors;
using FederationEgress.Forwarding;
using FederationEgress.Security;
using FederationEgress.ServerNames;
using FederationEgress.Testing.Fakes;
using FederationEgress.Testing.Hosting;
using FederationEgress.Testing.Tls;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.Tests.Forwarding;

/// <summary>
/// The handlers other areas use directly (the well-known fetch): DNS of the URI host when the
/// request carries no resolution, the address policy on every dialled IP, certificate checks.
/// </summary>
public sealed class UpstreamHandlerFactoryTests(TestCaFixture fixture) : IClassFixture<TestCaFixture>
{
    private CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WellKnownInvoker_NoResolution_DialsDnsAddressesWithSniForUriHost()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["wk.test"]), IPAddress.Parse("127.0.0.12"));
        var dns = new StaticDnsResolver().Map("wk.test", IPAddress.Parse("127.0.0.12"));
        await using var proxy = await StartProxyAsync(dns, RangeAddressPolicy.LoopbackExcept());
        var invoker = proxy.Services.GetRequiredService<IUpstreamHandlerFactory>().GetInvoker(UpstreamHandlerKind.WellKnown);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://wk.test:{server.Port}/.well-known/matrix/server");
        using var response = await invoker.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(server.Requests);
        Assert.Equal("wk.test", seen.Sni);
        Assert.Equal($"wk.test:{server.Port}", seen.Host);
        Assert.Equal("/.well-known/matrix/server", seen.RawTarget);
    }

    [Fact]
    public async Task WellKnownInvoker_DnsAnswerDenied_FailsWithAddressDeniedAndNothingDialled()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["rebind.test"]), IPAddress.Parse("127.0.0.13"));
        var dns = new StaticDnsResolver().Map("rebind.test", IPAddress.Parse("127.0.0.13"));
        await using var proxy = await StartProxyAsync(dns, RangeAddressPolicy.LoopbackExcept("127.0.0.13/32"));
        var invoker = proxy.Services.GetRequiredService<IUpstreamHandlerFactory>().GetInvoker(UpstreamHandlerKind.WellKnown);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://rebind.test:{server.Port}/.well-known/matrix/server");
        var exception = await Assert.ThrowsAsync<HttpRequestException>(() => invoker.SendAsync(request, Ct));

        var egress = Assert.IsType<EgressException>(exception.InnerException);
        Assert.Equal(EgressErrorKind.AddressDenied, egress.Error.Kind);
        Assert.Equal(0, server.ConnectionCount);
    }

    [Fact]
    public async Task WellKnownInvoker_UnknownName_FailsWithNoAddresses()
    {
        await using var proxy = await StartProxyAsync(new StaticDnsResolver(), RangeAddressPolicy.LoopbackExcept());
        var invoker = proxy.Services.GetRequiredService<IUpstreamHandlerFactory>().GetInvoker(UpstreamHandlerKind.WellKnown);

        using var request = new HttpRequestMessage(HttpMethod.Get, "https://nowhere.test/.well-known/matrix/server");
        var exception = await Assert.ThrowsAsync<HttpRequestException>(() => invoker.SendAsync(request, Ct));

        Assert.Equal(EgressErrorKind.NoAddresses, Assert.IsType<EgressException>(exception.InnerException).Error.Kind);
    }

    [Fact]
    public async Task FederationInvoker_ResolutionOption_DialsItsEndpointsNotTheUriHost()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["opt.test"]), IPAddress.Parse("127.0.0.14"));
        await using var proxy = await StartProxyAsync(new StaticDnsResolver(), RangeAddressPolicy.LoopbackExcept());
        var invoker = proxy.Services.GetRequiredService<IUpstreamHandlerFactory>().GetInvoker(UpstreamHandlerKind.Federation);
        var resolution = new Resolution(ServerName.Parse("opt.test"), DiscoveryStep.DefaultPort, [new ResolvedEndpoint(server.EndPoint, "opt.test")], "opt.test", "opt.test");

        using var request = new HttpRequestMessage(HttpMethod.Get, "https://opt.test/_matrix/key/v2/server");
        request.Options.Set(UpstreamRequestOptions.Resolution, resolution);
        using var response = await invoker.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("opt.test", Assert.Single(server.Requests).Sni);
    }

    private Task<TestProxy> StartProxyAsync(IDnsResolver dns, IEgressAddressPolicy policy) =>
        TestProxy.StartAsync(null, policy, builder => builder.Services.AddSingleton(dns), fixture.TrustSetting);
}
