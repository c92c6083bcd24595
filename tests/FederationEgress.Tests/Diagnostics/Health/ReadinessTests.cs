using System.Diagnostics.CodeAnalysis;
using System.Net;
using FederationEgress.Diagnostics.Health;
using FederationEgress.Dns.Client;
using FederationEgress.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace FederationEgress.Tests.Diagnostics.Health;

/// <summary>/readyz: started, not draining, and every readiness check (a usable DNS client) passes.</summary>
public sealed class ReadinessTests
{
    [Fact]
    public void DnsCheck_FallbackServerOnly_NotReadyNamingTheKey()
    {
        var settings = new DnsClientSettings([DnsClientSettings.FallbackServer], TimeSpan.FromSeconds(1), 1, 1232, DnsClientSettings.FallbackSource);
        var check = new DnsReadinessCheck(new DnsStubClient(settings, TimeProvider.System, NullLogger.Instance));

        Assert.False(check.IsReady(out var reason));
        Assert.Contains("Dns:Servers", reason);
    }

    [Fact]
    public void DnsCheck_ConfiguredServer_Ready()
    {
        var settings = new DnsClientSettings([new IPEndPoint(IPAddress.Loopback, 5353)], TimeSpan.FromSeconds(1), 1, 1232, "configuration");
        var check = new DnsReadinessCheck(new DnsStubClient(settings, TimeProvider.System, NullLogger.Instance));

        Assert.True(check.IsReady(out _));
    }

    [Fact]
    public void State_Lifecycle_StartingReadyDraining()
    {
        var state = new ReadinessState([new FixedCheck(true)]);
        Assert.True(state.TryGetNotReadyReason(out var starting));
        Assert.Equal("starting", starting);

        state.MarkReady();
        Assert.True(state.IsReady);

        state.MarkDraining();
        Assert.True(state.TryGetNotReadyReason(out var draining));
        Assert.Equal("draining", draining);
    }

    [Fact]
    public void State_FailingCheck_NotReadyWithItsReason()
    {
        var state = new ReadinessState([new FixedCheck(true), new FixedCheck(false)]);
        state.MarkReady();

        Assert.False(state.IsReady);
        Assert.True(state.TryGetNotReadyReason(out var reason));
        Assert.Equal("fixed: failing", reason);
    }

    [Fact]
    public async Task Readyz_RealAppWithDnsServer_ReadyOnceStarted()
    {
        await using var world = FederationWorld.Create();
        await world.StartAppAsync();
        using var client = FederationWorld.CreateClient();

        using var response = await client.GetAsync($"http://{world.ManagementEndPoint}/readyz", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private sealed class FixedCheck(bool ready) : IReadinessCheck
    {
        public bool IsReady([NotNullWhen(false)] out string? reason)
        {
            reason = ready ? null : "fixed: failing";
            return ready;
        }
    }
}
