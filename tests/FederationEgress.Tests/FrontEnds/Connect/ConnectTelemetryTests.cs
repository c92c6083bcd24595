using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using FederationEgress.Diagnostics;
using FederationEgress.Dns;
using FederationEgress.Security;
using FederationEgress.Testing.Time;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static FederationEgress.Tests.FrontEnds.Connect.ConnectFrontEndTests;

namespace FederationEgress.Tests.FrontEnds.Connect;

/// <summary>Byte counts, spans, metrics and the idle timeout of tunnels.</summary>
public sealed class ConnectTelemetryTests
{
    [Fact]
    public async Task Tunnel_BytesEachWay_CountedInSpanAndMetrics()
    {
        const int Size = 12_345;
        var address = UniqueLoopback();
        var hostName = $"count-{Guid.NewGuid():N}.example";
        var stopped = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EgressTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == "connect.tunnel" && activity.GetTagItem("server.address") as string == hostName)
                {
                    stopped.TrySetResult(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(activities);
        var bytes = new ConcurrentQueue<(long Value, string? Direction)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == EgressTelemetry.Name && instrument.Name == "egress.tunnel.bytes")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? direction = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "matrix.direction")
                {
                    direction = tag.Value as string;
                }
            }

            bytes.Enqueue((value, direction));
        });
        meters.Start();

        await using var echo = LoopbackEchoServer.Start(address);
        await using var host = await ConnectTestHost.StartAsync(Ports(echo.EndPoint.Port));
        host.Dns.Set(hostName, address);
        await using (var client = await TunnelClient.ConnectAsync(host.EndPoint))
        {
            await client.SendAsync($"CONNECT {hostName}:{echo.EndPoint.Port} HTTP/1.0\r\n\r\n");
            await client.ReadExactlyAsync(39);
            await client.SendAsync(new byte[Size]);
            client.ShutdownSend();
            Assert.Equal(Size, (await client.ReadToEndAsync()).Length);
        }

        var activity = await stopped.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.Equal((long)Size, activity.GetTagItem("egress.tunnel.bytes_upstream"));
        Assert.Equal((long)Size, activity.GetTagItem("egress.tunnel.bytes_downstream"));
        Assert.Equal(address.ToString(), activity.GetTagItem("network.peer.address"));
        Assert.Equal(echo.EndPoint.Port, activity.GetTagItem("server.port"));
        Assert.Null(activity.GetTagItem("error.type"));
        Assert.Contains((Size, "upstream"), bytes);
        Assert.Contains((Size, "downstream"), bytes);
        Assert.Equal(Size, echo.BytesReceived);
    }

    [Fact]
    public async Task RefusedTunnel_SpanCarriesErrorType()
    {
        var hostName = $"refused-{Guid.NewGuid():N}.example";
        var stopped = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EgressTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("server.address") as string == hostName)
                {
                    stopped.TrySetResult(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(activities);
        await using var host = await ConnectTestHost.StartAsync(Ports(8448));
        host.Dns.Fail(hostName, DnsResultStatus.ServerFailure);
        await using var client = await RawHttpConnection.ConnectAsync(host.EndPoint);

        await client.SendAsync($"CONNECT {hostName}:8448 HTTP/1.0\r\n\r\n");
        Assert.Equal(502, (await client.ReadResponseAsync())!.Status);

        var activity = await stopped.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.Equal("dns_failed", activity.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
    }

    [Fact]
    public async Task IdleTunnel_ClockPassesIdleTimeout_BothSidesClosed()
    {
        var time = new ManualTimeProvider();
        var address = UniqueLoopback();
        await using var quiet = LoopbackEchoServer.Start(address, echo: false);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration["Connect:Enabled"] = "true";
        builder.Configuration["Connect:IdleTimeoutSeconds"] = "30";
        builder.Configuration["Connect:AllowedPorts:0"] = quiet.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IDnsResolver>(new FakeDnsResolver());
        builder.Services.AddSingleton<IEgressAddressPolicy>(new TestAddressPolicy());
        using var meter = new Meter("connect-idle-" + Guid.NewGuid());
        ConnectTestHost.AddBackoff(builder.Services, builder.Configuration, meter);
        builder.Services.AddEgressConnectFrontEnd(builder.Configuration);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseEgressConnectProxy()));
        await using var app = builder.Build();
        await app.StartAsync(TestContext.Current.CancellationToken);
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;
        await using var client = await TunnelClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await client.SendAsync($"CONNECT {address}:{quiet.EndPoint.Port} HTTP/1.0\r\n\r\n");
        await client.ReadExactlyAsync(39);
        var remote = await quiet.FirstConnection.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        time.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal(string.Empty, await client.ReadToEndAsync());
        var buffer = new byte[1];
        Assert.Equal(0, await remote.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, TestContext.Current.CancellationToken));
        await app.StopAsync(TestContext.Current.CancellationToken);
    }
}
