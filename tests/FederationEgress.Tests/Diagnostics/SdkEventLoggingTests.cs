using System.Net;
using System.Net.Sockets;
using FederationEgress.Diagnostics;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Tests.Diagnostics;

public sealed class SdkEventLoggingTests
{
    [Fact]
    public async Task Export_CollectorUnreachable_ErrorLoggedNamingEndpoint()
    {
        var port = UnusedLoopbackPort();
        using var logs = new LogCapture();
        var configuration = TelemetryTestHost.FastExport(new Uri($"http://127.0.0.1:{port}"), "http/protobuf");
        await using var host = await TelemetryTestHost.StartAsync(configuration, OtlpExportTests.MapResolvingEndpoint, logging: l => l.AddProvider(logs));

        await OtlpExportTests.SendAsync(host, TraceIds.New());

        var entry = await logs.WaitForAsync(
            e => e.EventId.Id == 7003 && e.Message.Contains($":{port}", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
        Assert.True(entry.Level >= LogLevel.Warning);
        Assert.Contains("OpenTelemetry-Exporter-OpenTelemetryProtocol", entry.Message);
    }

    [Fact]
    public async Task Start_ExportEnabled_StartupLineSaysWhereTo()
    {
        using var logs = new LogCapture();
        var configuration = TelemetryTestHost.FastExport(new Uri($"http://127.0.0.1:{UnusedLoopbackPort()}"), "grpc");
        configuration["Telemetry:ServiceName"] = "egress-test";
        await using var host = await TelemetryTestHost.StartAsync(configuration, logging: l => l.AddProvider(logs));

        var entry = Assert.Single(logs.Entries, e => e.EventId.Id == 7000);
        Assert.Contains("over grpc as service egress-test", entry.Message);
        Assert.Equal(typeof(EgressTelemetryService).FullName, entry.Category);
    }

    private static int UnusedLoopbackPort()
    {
        // Bound then released: nothing listens there afterwards, so connections are refused.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
