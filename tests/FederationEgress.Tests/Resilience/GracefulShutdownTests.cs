using System.Net;
using System.Net.Sockets;
using FederationEgress.Hosting;
using FederationEgress.Resilience;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Time;
using FederationEgress.Testing.Tls;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FederationEgress.Tests.Resilience;

/// <summary>Shutdown under load on the real app: readiness, listener, in-flight requests, timeout wiring.</summary>
public sealed class GracefulShutdownTests(ResilienceCaFixture fixture) : IClassFixture<ResilienceCaFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StopUnderLoad_ReadinessFalseListenerClosedAndEveryInFlightRequestCompletes()
    {
        const string name = "drain.resil.test";
        const int slowRequests = 16;
        const int streamChunks = 20;
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate([name]), IPAddress.Parse("127.86.8.1"));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrivals = 0;
        var allArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Handler = async context =>
        {
            if (Interlocked.Increment(ref arrivals) == slowRequests + 1)
            {
                allArrived.TrySetResult();
            }

            if (context.Request.Path.StartsWithSegments("/stream"))
            {
                // A long stream: headers and the first chunk now, the rest after shutdown began.
                await context.Response.Body.WriteAsync(new byte[1024], context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await release.Task;
                for (var i = 1; i < streamChunks; i++)
                {
                    await context.Response.Body.WriteAsync(new byte[1024], context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                }

                return;
            }

            await release.Task;
            await TlsTestServer.DefaultHandler(context);
        };
        await using var dns = ScriptedDnsServer.Start();
        dns.AddA(name, "127.86.8.1").SetSoa("resil.test", minimum: 60);
        await using var app = await ResilienceApp.StartAsync(dns, fixture.PemFile, settings: "Shutdown:DrainTimeoutSeconds=60");
        var destination = $"{name}:{server.Port}";
        var readiness = app.Services.GetRequiredService<ReadinessState>();
        Assert.True(readiness.IsReady);

        var slow = Enumerable.Range(0, slowRequests).Select(async _ =>
        {
            using var response = await app.GetAsync(destination, cancellationToken: Ct);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync(Ct));
        }).ToArray();
        var stream = Task.Run(async () =>
        {
            using var response = await app.GetAsync(destination, "/stream", Ct);
            return (response.StatusCode, Bytes: (await response.Content.ReadAsByteArrayAsync(Ct)).Length);
        });
        await allArrived.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        var stopping = app.StopAsync(Ct);
        await WaitUntilAsync(() => !readiness.IsReady);
        await WaitUntilAsync(() => !Accepts(app.ForwardingEndPoint));
        Assert.False(stopping.IsCompleted, "the host stopped while requests were still in flight");

        release.SetResult();
        var completed = await Task.WhenAll(slow).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var streamed = await stream.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await stopping.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(slowRequests, completed.Count(r => r.StatusCode == HttpStatusCode.OK && r.Body == "{\"ok\":true}"));
        Assert.Equal((HttpStatusCode.OK, streamChunks * 1024), streamed);
    }

    [Fact]
    public async Task StopWithDelay_ReadinessFalseAtOnceButTheListenerServesUntilTheDelayPassed()
    {
        const string name = "delay.resil.test";
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate([name]), IPAddress.Parse("127.86.8.2"));
        await using var dns = ScriptedDnsServer.Start();
        dns.AddA(name, "127.86.8.2").SetSoa("resil.test", minimum: 60);
        await using var app = await ResilienceApp.StartAsync(dns, fixture.PemFile, clock, "Shutdown:DelaySeconds=5");
        var readiness = app.Services.GetRequiredService<ReadinessState>();

        var stopping = app.StopAsync(Ct);
        await WaitUntilAsync(() => !readiness.IsReady);

        // Load balancers still route here for a moment: new connections are still served.
        using var client = new HttpClient { BaseAddress = new Uri($"http://{app.ForwardingEndPoint}") };
        using (var late = await client.GetAsync($"/{name}:{server.Port}/_matrix/federation/v1/version", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        }

        Assert.False(stopping.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(5));
        await stopping.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.False(Accepts(app.ForwardingEndPoint));
    }

    [Theory]
    [InlineData(new string[0], 35)]
    [InlineData(new[] { "Shutdown:DrainTimeoutSeconds=10", "Shutdown:DelaySeconds=2" }, 17)]
    public async Task HostShutdownTimeout_IsDelayPlusDrainPlusTheTelemetryFlush(string[] settings, double expectedSeconds)
    {
        await using var dns = ScriptedDnsServer.Start();
        await using var app = await ResilienceApp.StartAsync(dns, fixture.PemFile, settings: settings);

        var host = app.Services.GetRequiredService<IOptions<HostOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), host.ShutdownTimeout);
    }

    [Theory]
    [InlineData("Shutdown:DrainTimeoutSeconds=-1", "Shutdown:DrainTimeoutSeconds")]
    [InlineData("Shutdown:DelaySeconds=7200", "Shutdown:DelaySeconds")]
    [InlineData("Backoff:FailureThreshold=0", "Backoff:FailureThreshold")]
    [InlineData("Backoff:MaxSeconds=1", "Backoff:MaxSeconds")]
    [InlineData("Backoff:JitterFraction=0.9", "Backoff:JitterFraction")]
    [InlineData("Backoff:Multiplier=0.5", "Backoff:Multiplier")]
    public async Task Start_InvalidResilienceSetting_FailsNamingTheKey(string setting, string key)
    {
        await using var dns = ScriptedDnsServer.Start();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ResilienceApp.StartAsync(dns, fixture.PemFile, settings: setting));

        Assert.Contains(key, error.Message);
    }

    private static bool Accepts(IPEndPoint endPoint)
    {
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Connect(endPoint);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Polls a condition the app flips on its own thread; fails after 30 s.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(50, Ct);
        }

        Assert.True(condition(), "condition not reached within 30 s");
    }
}
