using System.Net;
using System.Text.Json;
using FederationEgress.Dns;
using FederationEgress.FrontEnds.Connect;
using FederationEgress.Resilience;
using FederationEgress.Testing.Time;
using FederationEgress.Tests.Resilience;
using static FederationEgress.Tests.FrontEnds.Connect.ConnectFrontEndTests;

namespace FederationEgress.Tests.FrontEnds.Connect;

/// <summary>
/// The CONNECT front end under the per-destination back-off: real sockets on loopback, the
/// back-off's clock manual. A target is keyed by its normalized <c>host:port</c>.
/// </summary>
public sealed class ConnectBackoffTests
{
    private const string Established = "HTTP/1.1 200 Connection established\r\n\r\n";

    [Theory]
    [InlineData("Example.ORG.:8448", "example.org:8448")]
    [InlineData("127.0.0.1:443", "127.0.0.1:443")]
    [InlineData("[::1]:8448", "[::1]:8448")]
    [InlineData("::1:8448", "[::1]:8448")]
    [InlineData("[0:0:0:0:0:0:0:1]:8448", "[::1]:8448")]
    [InlineData("[2001:DB8::1]:443", "[2001:db8::1]:443")]
    public void Authority_EverySpellingOfATarget_NormalizesToOneKey(string target, string expected)
    {
        Assert.True(ConnectRequestParser.TryParseTarget(target, out var host, out var port, out var address));

        Assert.Equal(expected, new ConnectRequest("CONNECT", host, port, address, []).Authority);
    }

    [Fact]
    public async Task DeadTarget_AfterThreshold_503WithRetryAfterBeforeDnsOrDialThenProbeRecoversAndResets()
    {
        var clock = new ManualTimeProvider();
        var address = UniqueLoopback();
        var port = ClosedPort(address);
        await using var host = await ConnectTestHost.StartAsync(Settings(port, ("Backoff:FailureThreshold", "2"), ("Backoff:InitialSeconds", "30")), time: clock);
        host.Dns.Set("dead.example", address);
        var target = $"dead.example:{port}";

        for (var i = 0; i < 2; i++)
        {
            var failed = await RefusedAsync(host, target);
            Assert.Equal(502, failed.Status);
            Assert.Equal("connect_failed", Body(failed).Reason);
        }

        // Another spelling of the same target: refused fast, without looking the name up.
        var backedOff = await RefusedAsync(host, $"Dead.Example.:{port}");
        Assert.Equal(503, backedOff.Status);
        Assert.Equal("30", backedOff.Header("Retry-After"));
        var (errcode, error, reason) = Body(backedOff);
        Assert.Equal(("M_LIMIT_EXCEEDED", "destination_backoff"), (errcode, reason));
        Assert.StartsWith("back-off: dead.example:" + port, error, StringComparison.Ordinal);
        Assert.Contains("connecting to", error, StringComparison.Ordinal);
        Assert.Equal(2, host.Dns.Queries.Count);

        // The target comes back: nothing dials it before the interval is over.
        await using var revived = LoopbackEchoServer.Start(address, port);
        clock.Advance(TimeSpan.FromSeconds(29));
        var stillBackedOff = await RefusedAsync(host, target);
        Assert.Equal(503, stillBackedOff.Status);
        Assert.Equal("1", stillBackedOff.Header("Retry-After"));
        Assert.Equal(0, revived.ConnectionCount);

        clock.Advance(TimeSpan.FromSeconds(1));
        await AssertTunnelAsync(host, target);
        Assert.Equal(DestinationHealthStatus.Healthy, host.Health.GetState(target).Status);

        // Reset: the next failure starts counting from zero again (threshold 2: one failure is not enough).
        await revived.DisposeAsync();
        Assert.Equal(502, (await RefusedAsync(host, target)).Status);
        Assert.Equal(502, (await RefusedAsync(host, target)).Status);
        Assert.Equal(503, (await RefusedAsync(host, target)).Status);
    }

    [Fact]
    public async Task FailedProbe_DialsOnceAndMultipliesTheInterval()
    {
        var clock = new ManualTimeProvider();
        var address = UniqueLoopback();
        var port = ClosedPort(address);
        await using var host = await ConnectTestHost.StartAsync(Settings(port, ("Backoff:FailureThreshold", "1"), ("Backoff:InitialSeconds", "10")), time: clock);
        var target = $"{address}:{port}";

        Assert.Equal(502, (await RefusedAsync(host, target)).Status);
        Assert.Equal("10", (await RefusedAsync(host, target)).Header("Retry-After"));

        clock.Advance(TimeSpan.FromSeconds(10));
        var probe = await RefusedAsync(host, target);
        var afterProbe = await RefusedAsync(host, target);

        Assert.Equal(502, probe.Status);
        Assert.Equal("connect_failed", Body(probe).Reason);
        Assert.Equal(503, afterProbe.Status);
        Assert.Equal("20", afterProbe.Header("Retry-After"));
        var state = host.Health.GetState(target);
        Assert.Equal((DestinationHealthStatus.BackingOff, 2, TimeSpan.FromSeconds(20)), (state.Status, state.ConsecutiveFailures, state.Interval));
    }

    [Fact]
    public async Task HealthyTargets_NeverBlocked_EvenWithADeadAddressOrADeadNeighbour()
    {
        var clock = new ManualTimeProvider();
        var dead = UniqueLoopback();
        var live = UniqueLoopback();
        await using var echo = LoopbackEchoServer.Start(live);
        var port = echo.EndPoint.Port;
        await using var host = await ConnectTestHost.StartAsync(Settings(port, ("Backoff:FailureThreshold", "1")), time: clock);
        host.Dns.Set("mixed.example", dead, live); // nothing listens on the first address
        host.Dns.Set("dead.example", dead);

        Assert.Equal(502, (await RefusedAsync(host, $"dead.example:{port}")).Status);
        Assert.Equal(503, (await RefusedAsync(host, $"dead.example:{port}")).Status);
        for (var i = 0; i < 5; i++)
        {
            await AssertTunnelAsync(host, $"mixed.example:{port}");
            await AssertTunnelAsync(host, $"{live}:{port}");
        }

        Assert.Equal(10, echo.ConnectionCount);
        Assert.Equal(["dead.example:" + port], host.Health.GetUnhealthy().Select(s => s.ServerName));
    }

    [Fact]
    public async Task PolicyRefusalsAndDnsFailures_NeverTripTheBackoff()
    {
        var inward = UniqueLoopback();
        await using var target = LoopbackEchoServer.Start(inward);
        var port = target.EndPoint.Port;
        await using var host = await ConnectTestHost.StartAsync(
            Settings(port, ("Backoff:FailureThreshold", "1")),
            h => h == "blocked.example" ? "blocked.example is on the deny list" : null,
            new ManualTimeProvider());
        host.Policy.Deny(inward);
        host.Dns.Set("inward.example", inward);
        host.Dns.Set("blocked.example", inward);
        host.Dns.Fail("broken.example", DnsResultStatus.ServerFailure);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal((403, "address_denied"), Outcome(await RefusedAsync(host, $"{inward}:{port}")));
            Assert.Equal((403, "address_denied"), Outcome(await RefusedAsync(host, $"inward.example:{port}")));
            Assert.Equal((403, "destination_denied"), Outcome(await RefusedAsync(host, $"blocked.example:{port}")));
            Assert.Equal((403, "destination_denied"), Outcome(await RefusedAsync(host, $"{inward}:9")));
            Assert.Equal((502, "dns_failed"), Outcome(await RefusedAsync(host, $"broken.example:{port}")));
        }

        Assert.Empty(host.Health.GetUnhealthy());
        Assert.Equal(0, target.ConnectionCount);
    }

    [Fact]
    public async Task BackedOffTarget_ShownInHealthStateAndBackoffMetrics()
    {
        var clock = new ManualTimeProvider();
        var address = UniqueLoopback();
        var port = ClosedPort(address);
        await using var host = await ConnectTestHost.StartAsync(Settings(port, ("Backoff:FailureThreshold", "1"), ("Backoff:InitialSeconds", "60")), time: clock);
        using var metrics = new MeterCapture(host.Meter);
        var target = $"{address}:{port}";

        Assert.Equal(502, (await RefusedAsync(host, target)).Status);
        Assert.Equal(503, (await RefusedAsync(host, target)).Status);
        Assert.Equal(503, (await RefusedAsync(host, target)).Status);
        metrics.RecordObservable();

        var state = Assert.Single(host.Health.GetUnhealthy());
        Assert.Equal(target, state.ServerName);
        Assert.Equal(DestinationHealthStatus.BackingOff, state.Status);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromSeconds(60), state.RetryAt);
        Assert.Equal(("connect", "connect_failed"), (state.LastError!.Step, FederationEgress.Errors.EgressErrorMapper.TypeName(state.LastError.Kind)));
        Assert.Equal(2, metrics.Of(BackoffMetricNames.Rejections).Sum());
        Assert.Equal(1, metrics.Of(BackoffMetricNames.Active).Last());
    }

    [Fact]
    public async Task BackoffDisabled_EveryRequestDials()
    {
        var address = UniqueLoopback();
        var port = ClosedPort(address);
        await using var host = await ConnectTestHost.StartAsync(Settings(port, ("Backoff:Enabled", "false"), ("Backoff:FailureThreshold", "1")), time: new ManualTimeProvider());
        host.Dns.Set("dead.example", address);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal((502, "connect_failed"), Outcome(await RefusedAsync(host, $"dead.example:{port}")));
        }

        Assert.Equal(3, host.Dns.Queries.Count);
    }

    private static Dictionary<string, string?> Settings(int port, params (string Key, string Value)[] settings)
    {
        var all = Ports(port);
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return all;
    }

    /// <summary>A port on <paramref name="address"/> where nothing listens (connections are refused).</summary>
    private static int ClosedPort(IPAddress address)
    {
        using var probe = new System.Net.Sockets.Socket(address.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static async Task<RawHttpResponse> RefusedAsync(ConnectTestHost host, string target)
    {
        await using var client = await RawHttpConnection.ConnectAsync(host.EndPoint);
        await client.SendAsync($"CONNECT {target} HTTP/1.0\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.NotNull(response);
        Assert.True(await client.IsClosedByServerAsync());
        return response;
    }

    private static async Task AssertTunnelAsync(ConnectTestHost host, string target)
    {
        await using var client = await TunnelClient.ConnectAsync(host.EndPoint);
        await client.SendAsync($"CONNECT {target} HTTP/1.0\r\n\r\n");
        Assert.Equal(Established, await client.ReadExactlyAsync(Established.Length));
        await client.SendAsync("ping");
        Assert.Equal("ping", await client.ReadExactlyAsync(4));
    }

    private static (string ErrCode, string Error, string Reason) Body(RawHttpResponse response)
    {
        using var json = JsonDocument.Parse(response.Body);
        var root = json.RootElement;
        return (root.GetProperty("errcode").GetString()!, root.GetProperty("error").GetString()!, root.GetProperty("reason").GetString()!);
    }

    private static (int Status, string Reason) Outcome(RawHttpResponse response) =>
        (response.Status, Body(response).Reason);
}
