using System.Net;
using FederationEgress.Testing.Fakes;
using FederationEgress.Testing.Hosting;
using FederationEgress.Testing.Time;
using FederationEgress.Testing.Tls;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.Tests.Forwarding;

/// <summary>The response-headers timeout, driven by a manual clock (no waiting on real time).</summary>
public sealed class TimeoutTests(TestCaFixture fixture) : IClassFixture<TestCaFixture>
{
    private static readonly TimeSpan SignalTimeout = TimeSpan.FromSeconds(20);

    private CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ResponseHeaders_ClockPassesTimeout_Returns504()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var requestArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        server.Handler = async context =>
        {
            requestArrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        };
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await StartAsync(clock, "Forwarding:ResponseHeadersTimeoutSeconds=30");
        proxy.Resolver.Map(name, server.EndPoint);

        var pending = proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");
        await requestArrived.Task.WaitAsync(SignalTimeout, Ct);
        clock.Advance(TimeSpan.FromSeconds(31));
        using var response = await pending.WaitAsync(SignalTimeout, Ct);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("did not send response headers within 30 s", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task ResponseHeaders_Received_TimeoutNoLongerApplies()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var finishBody = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        server.Handler = async context =>
        {
            await context.Response.WriteAsync("first,", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await finishBody.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("second", context.RequestAborted);
        };
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await StartAsync(clock, "Forwarding:ResponseHeadersTimeoutSeconds=30");
        proxy.Resolver.Map(name, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/media/v3/download/a/b").WaitAsync(SignalTimeout, Ct);
        clock.Advance(TimeSpan.FromSeconds(120));
        finishBody.SetResult();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("first,second", await response.Content.ReadAsStringAsync(Ct));
    }

    private Task<TestProxy> StartAsync(ManualTimeProvider clock, string setting) =>
        TestProxy.StartAsync(null, RangeAddressPolicy.LoopbackExcept(), builder => builder.Services.AddSingleton<TimeProvider>(clock), fixture.TrustSetting, setting);
}
