using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Diagnostics;

/// <summary>
/// Forwards the OpenTelemetry SDK's own warnings and errors (an unreachable collector, a rejected
/// export, a dropped span batch), which the SDK only writes to EventSource, into the proxy's log,
/// at most once per event kind per <see cref="RepeatInterval"/> so a dead collector cannot flood it.
/// Lives as long as the SDK.
/// </summary>
internal sealed partial class OpenTelemetryEventBridge : EventListener
{
    /// <summary>How often the same SDK event may be logged again.</summary>
    internal static readonly TimeSpan RepeatInterval = TimeSpan.FromMinutes(1);

    private const string SourcePrefix = "OpenTelemetry-";

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Source, int EventId), long> _lastLogged = [];
    private ILogger? _logger;
    private TimeProvider? _timeProvider;

    public OpenTelemetryEventBridge(ILogger logger, TimeProvider timeProvider)
    {
        // The base constructor may already have delivered events (it announces existing sources
        // before this body runs); those are dropped until the fields are set.
        _timeProvider = timeProvider;
        _logger = logger;
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name.StartsWith(SourcePrefix, StringComparison.Ordinal))
        {
            EnableEvents(eventSource, EventLevel.Warning);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        var logger = _logger;
        var time = _timeProvider;
        if (logger is null || time is null || eventData.Level is > EventLevel.Warning or EventLevel.LogAlways)
        {
            return;
        }

        var key = (eventData.EventSource.Name, eventData.EventId);
        var now = time.GetTimestamp();
        lock (_gate)
        {
            if (_lastLogged.TryGetValue(key, out var last) && time.GetElapsedTime(last, now) < RepeatInterval)
            {
                return;
            }

            _lastLogged[key] = now;
        }

        var level = eventData.Level switch
        {
            EventLevel.Critical => LogLevel.Critical,
            EventLevel.Error => LogLevel.Error,
            _ => LogLevel.Warning,
        };
        Log.SdkEvent(logger, level, eventData.EventSource.Name, eventData.EventId, Format(eventData));
    }

    private static string Format(EventWrittenEventArgs eventData)
    {
        if (eventData.Message is null)
        {
            return eventData.EventName ?? "(no message)";
        }

        try
        {
            return string.Format(CultureInfo.InvariantCulture, eventData.Message, eventData.Payload?.ToArray() ?? []);
        }
        catch (FormatException)
        {
            return eventData.Message;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7003, Message = "OpenTelemetry SDK ({Source} event {SdkEventId}): {SdkMessage}")]
        public static partial void SdkEvent(ILogger logger, LogLevel level, string source, int sdkEventId, string sdkMessage);
    }
}
