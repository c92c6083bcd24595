using System.Diagnostics.Tracing;
using FederationEgress.Diagnostics;
using FederationEgress.Testing.Time;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Tests.Diagnostics;

public sealed class OpenTelemetryEventBridgeTests
{
    [Fact]
    public void Bridge_RepeatedError_LoggedOncePerInterval()
    {
        var time = new ManualTimeProvider();
        using var logs = new LogCapture();
        using var bridge = new OpenTelemetryEventBridge(logs.CreateLogger("sdk"), time);
        var marker = Guid.NewGuid().ToString("N");

        FakeSdkEventSource.Log.ExportFailed(marker);
        FakeSdkEventSource.Log.ExportFailed(marker);
        time.Advance(OpenTelemetryEventBridge.RepeatInterval - TimeSpan.FromSeconds(1));
        FakeSdkEventSource.Log.ExportFailed(marker);
        Assert.Single(Mine(logs, marker));

        time.Advance(TimeSpan.FromSeconds(2));
        FakeSdkEventSource.Log.ExportFailed(marker);

        var entries = Mine(logs, marker);
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal(LogLevel.Error, e.Level));
        Assert.Equal($"OpenTelemetry SDK (OpenTelemetry-FederationEgress-Test event 1): export to {marker} failed", entries[0].Message);
    }

    [Fact]
    public void Bridge_InformationalEvent_NotLogged()
    {
        using var logs = new LogCapture();
        using var bridge = new OpenTelemetryEventBridge(logs.CreateLogger("sdk"), new ManualTimeProvider());
        var marker = Guid.NewGuid().ToString("N");

        FakeSdkEventSource.Log.Exported(marker);

        Assert.Empty(Mine(logs, marker));
    }

    private static List<LogCapture.Entry> Mine(LogCapture logs, string marker) =>
        logs.Entries.Where(e => e.Message.Contains(marker, StringComparison.Ordinal)).ToList();

    [EventSource(Name = "OpenTelemetry-FederationEgress-Test")]
    private sealed class FakeSdkEventSource : EventSource
    {
        public static readonly FakeSdkEventSource Log = new();

        [Event(1, Level = EventLevel.Error, Message = "export to {0} failed")]
        public void ExportFailed(string endpoint) => WriteEvent(1, endpoint);

        [Event(2, Level = EventLevel.Informational, Message = "exported to {0}")]
        public void Exported(string endpoint) => WriteEvent(2, endpoint);
    }
}
