using System.Net;
using FederationEgress.Dns.Protocol;
using FederationEgress.Resilience;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Time;
using FederationEgress.Testing.Tls;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.Tests.Resilience;

/// <summary>
/// Faults whose outcome depends on a timeout or interval, run on a manual clock so the test decides
/// when time passes: the app's DNS, connect, TLS and response-header timers and the back-off all
/// read the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class ManualClockFaultTests(ResilienceCaFixture fixture) : IClassFixture<ResilienceCaFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RemoteStallsHeaders_504NamingResponseHeadersOnceTheTimeoutPasses()
    {
        const string name = "headers.resil.test";
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow); // certificates are checked against this clock
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate([name]), IPAddress.Parse("127.86.5.1"));
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Handler = async context =>
        {
            arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        };
        await using var dns = ScriptedDnsServer.Start();
        dns.AddA(name, "127.86.5.1").SetSoa("resil.test", minimum: 60);
        await using var app = await ResilienceApp.StartAsync(dns, fixture.PemFile, clock, "Forwarding:ResponseHeadersTimeoutSeconds=20");

        var pending = app.GetAsync($"{name}:{server.Port}", cancellationToken: Ct);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        clock.Advance(TimeSpan.FromSeconds(19));
        Assert.False(pending.IsCompleted, "answered before the response-headers timeout");
        clock.Advance(TimeSpan.FromSeconds(1));
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var (_, error, reason) = await ResilienceApp.ReadErrorAsync(response);
        Assert.Equal("timeout", reason);
        Assert.StartsWith("response headers:", error);
    }

    [Fact]
    public async Task RepeatedTlsFailures_BackOffEngagesFailsFastAndResetsAfterAProbeSucceeds()
    {
        const string name = "backoff.resil.test";
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow); // certificates are checked against this clock
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["wrong.resil.test"]), IPAddress.Parse("127.86.7.1"));
        await using var dns = ScriptedDnsServer.Start();
        dns.AddA(name, "127.86.7.1").SetSoa("resil.test", minimum: 60);
        await using var app = await ResilienceApp.StartAsync(
            dns, fixture.PemFile, clock, "Backoff:FailureThreshold=2", "Backoff:InitialSeconds=30", "Backoff:JitterFraction=0");
        var destination = $"{name}:{server.Port}";
        var health = app.Services.GetRequiredService<IDestinationHealth>();

        for (var i = 0; i < 2; i++)
        {
            using var failed = await app.GetAsync(destination, cancellationToken: Ct);
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
            Assert.Equal("tls_failed", (await ResilienceApp.ReadErrorAsync(failed)).Reason);
        }

        var dialled = server.ConnectionCount;
        using (var backedOff = await app.GetAsync(destination, cancellationToken: Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, backedOff.StatusCode);
            Assert.Equal("30", backedOff.Headers.GetValues("Retry-After").Single());
            var (errcode, error, reason) = await ResilienceApp.ReadErrorAsync(backedOff);
            Assert.Equal(("M_LIMIT_EXCEEDED", "destination_backoff"), (errcode, reason));
            Assert.Contains("certificate", error);
        }

        Assert.Equal(dialled, server.ConnectionCount);
        var state = health.GetState(destination);
        Assert.Equal(DestinationHealthStatus.BackingOff, state.Status);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromSeconds(30), state.RetryAt);

        // Other destinations are untouched.
        Assert.Equal(DestinationHealthStatus.Healthy, health.GetState("healthy.resil.test").Status);

        // The remote is fixed; once the interval passed, the probe gets through and lifts the back-off.
        server.Certificate = fixture.Ca.IssueServerCertificate([name]);
        clock.Advance(TimeSpan.FromSeconds(30));
        using (var probe = await app.GetAsync(destination, cancellationToken: Ct))
        {
            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        }

        Assert.Equal(DestinationHealthStatus.Healthy, health.GetState(destination).Status);
        using var after = await app.GetAsync(destination, cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task ErrorResponses_NeverBackOffTheDestination()
    {
        const string name = "errors.resil.test";
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow); // certificates are checked against this clock
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate([name]), IPAddress.Parse("127.86.7.2"));
        server.Handler = context =>
        {
            context.Response.StatusCode = context.Request.Path.Value!.Contains("missing") ? 404 : 500;
            return Task.CompletedTask;
        };
        await using var dns = ScriptedDnsServer.Start();
        dns.AddA(name, "127.86.7.2").SetSoa("resil.test", minimum: 60);
        await using var app = await ResilienceApp.StartAsync(dns, fixture.PemFile, clock, "Backoff:FailureThreshold=1");

        for (var i = 0; i < 5; i++)
        {
            using var error = await app.GetAsync($"{name}:{server.Port}", cancellationToken: Ct);
            Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
            using var missing = await app.GetAsync($"{name}:{server.Port}", "/_matrix/missing", Ct);
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        Assert.Equal(10, server.Requests.Count);
        Assert.Empty(app.Services.GetRequiredService<IDestinationHealth>().GetUnhealthy());
    }

    [Fact]
    public async Task DnsServerStopsAnswering_WarmNamesKeepWorkingAndColdNamesFailNamingDns()
    {
        const string warm = "warm.resil.test";
        const string cold = "cold.resil.test";
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow); // certificates are checked against this clock
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate([warm, cold]), IPAddress.Parse("127.86.1.1"));
        await using var dns = ScriptedDnsServer.Start();
        dns.AddA(warm, "127.86.1.1", ttl: 60).AddA(cold, "127.86.1.1", ttl: 60).SetSoa("resil.test", minimum: 60);
        await using var app = await ResilienceApp.StartAsync(
            dns, fixture.PemFile, clock, "Dns:TimeoutMilliseconds=1000", "Dns:Attempts=1");
        using (var first = await app.GetAsync($"{warm}:{server.Port}", cancellationToken: Ct))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // The DNS server goes silent, and the cached answers expire.
        dns.SetBehavior(warm, DnsBehavior.Drop).SetBehavior(cold, DnsBehavior.Drop);
        clock.Advance(TimeSpan.FromSeconds(61));
        var queriesBefore = dns.QueryCount(warm, DnsRecordType.A);

        const int requests = 20;
        var warmRequests = Enumerable.Range(0, requests).Select(_ => app.GetAsync($"{warm}:{server.Port}", cancellationToken: Ct)).ToArray();
        await dns.WaitForQueriesAsync(warm, queriesBefore + 1, DnsRecordType.A, cancellationToken: Ct);
        var warmResponses = await AdvanceUntilDoneAsync(clock, Task.WhenAll(warmRequests), TimeSpan.FromSeconds(1));

        Assert.All(warmResponses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(requests + 1, server.Requests.Count);

        var coldRequest = app.GetAsync($"{cold}:{server.Port}", cancellationToken: Ct);
        await dns.WaitForQueriesAsync(cold, 1, DnsRecordType.A, cancellationToken: Ct);
        Assert.False(coldRequest.IsCompleted, "failed before the DNS timeout");
        using var coldResponse = await AdvanceUntilDoneAsync(clock, coldRequest, TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.BadGateway, coldResponse.StatusCode);
        var (_, error, reason) = await ResilienceApp.ReadErrorAsync(coldResponse);
        Assert.Equal("dns_failed", reason);
        Assert.StartsWith("dns:", error);
        Assert.Contains(cold, error);
        Assert.Equal(requests + 1, server.Requests.Count);
        foreach (var response in warmResponses)
        {
            response.Dispose();
        }
    }

    /// <summary>
    /// Advances the clock one <paramref name="step"/> at a time until <paramref name="task"/>
    /// completes, giving the app a moment between steps to arm its next timer. Fails after 50 steps.
    /// </summary>
    private static async Task<T> AdvanceUntilDoneAsync<T>(ManualTimeProvider clock, Task<T> task, TimeSpan step)
    {
        for (var i = 0; i < 50 && !task.IsCompleted; i++)
        {
            clock.Advance(step);
            await Task.WhenAny(task, Task.Delay(100, Ct));
        }

        return await task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
    }
}
