using System.Net;
using FederationEgress.Hosting;
using FederationEgress.Testing.Hosting;
using FederationEgress.Testing.Tls;
using FederationEgress.Tests.Forwarding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace FederationEgress.Tests.Hosting;

public sealed class ListenerTests(TestCaFixture fixture) : IClassFixture<TestCaFixture>
{
    private CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/healthz", "ok\n")]
    [InlineData("/readyz", "ready\n")]
    public async Task ManagementListener_HealthAndReadiness_Return200(string path, string body)
    {
        await using var proxy = await TestProxy.StartAsync();
        using var client = new HttpClient();

        using var response = await client.GetAsync($"http://{proxy.ManagementEndPoint}{path}", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task ForwardingListener_ManagementPath_IsNotServed(string path)
    {
        await using var proxy = await TestProxy.StartAsync();

        using var response = await proxy.Client.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("M_INVALID_PARAM", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task ManagementListener_ForwardingPath_IsNotForwarded()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map(name, server.EndPoint);
        using var client = new HttpClient();

        using var response = await client.GetAsync($"http://{proxy.ManagementEndPoint}/{name}/_matrix/federation/v1/version", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, proxy.Resolver.Lookups);
        Assert.Equal(0, server.ConnectionCount);
    }

    [Fact]
    public async Task ConcurrencyLimit_Exceeded_Returns503AndInFlightRequestCompletes()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        server.Handler = async context =>
        {
            entered.TrySetResult();
            await release.Task;
            await TlsTestServer.DefaultHandler(context);
        };
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: [fixture.TrustSetting, "Limits:MaxConcurrentRequests=1"]);
        proxy.Resolver.Map(name, server.EndPoint);

        var first = proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");
        await entered.Task.WaitAsync(Ct);
        using var second = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");
        release.SetResult();
        using var firstResponse = await first;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Contains("M_LIMIT_EXCEEDED", await second.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task BodyLimit_DeclaredLengthTooLarge_Returns413AndNothingIsDialled()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: [fixture.TrustSetting, "Limits:MaxRequestBodySize=1000"]);
        proxy.Resolver.Map(name, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Put, $"/{name}/_matrix/federation/v1/send/4", new ByteArrayContent(new byte[1001]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("M_TOO_LARGE", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(0, server.ConnectionCount);
    }

    [Fact]
    public async Task BodyLimit_AtTheLimit_IsForwarded()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: [fixture.TrustSetting, "Limits:MaxRequestBodySize=1000"]);
        proxy.Resolver.Map(name, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Put, $"/{name}/_matrix/federation/v1/send/5", new ByteArrayContent(new byte[1000]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1000, Assert.Single(server.Requests).Body.Length);
    }

    [Fact]
    public async Task Readiness_FollowsHostLifecycle()
    {
        var readiness = new ReadinessState();
        var service = new ReadinessLifecycleService(readiness, new EgressListeners(), NullLogger<ReadinessLifecycleService>.Instance);
        var before = readiness.IsReady;

        await service.StartedAsync(Ct);
        var started = readiness.IsReady;
        await service.StoppingAsync(Ct);

        Assert.False(before);
        Assert.True(started);
        Assert.False(readiness.IsReady);
    }

    [Fact]
    public async Task Readyz_WhileShuttingDown_Returns503()
    {
        await using var proxy = await TestProxy.StartAsync();
        using var client = new HttpClient();

        // Shutdown begins: the lifecycle hook flips readiness before the listeners close.
        await proxy.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>()
            .OfType<ReadinessLifecycleService>().Single().StoppingAsync(Ct);
        using var response = await client.GetAsync($"http://{proxy.ManagementEndPoint}/readyz", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }
}
