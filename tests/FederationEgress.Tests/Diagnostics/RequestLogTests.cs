using FederationEgress.Diagnostics;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Tests.Diagnostics;

public sealed class RequestLogTests
{
    [Fact]
    public void Forwarded_Failure_InformationEventWithAllFields()
    {
        var logger = new CapturingLogger();

        RequestLog.Forwarded(logger, "PUT", "example.org:8448", 502, 1500.25, null, "tls_failed");

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Equal(new EventId(7010, "RequestForwarded"), entry.EventId);
        Assert.Equal("PUT example.org:8448 502 in 1500.3 ms via - error tls_failed", entry.Message);
        Assert.Equal("example.org:8448", entry.State["ServerName"]);
        Assert.Equal(502, entry.State["StatusCode"]);
        Assert.Equal(1500.25, entry.State["DurationMs"]);
        Assert.Equal("-", entry.State["Endpoint"]);
        Assert.Equal("tls_failed", entry.State["ErrorType"]);
    }

    [Fact]
    public void Forwarded_EventId_InsideDiagnosticsRange() =>
        Assert.InRange(RequestLog.ForwardedEventId, 7000, 7099);

    private sealed class CapturingLogger : ILogger
    {
        public List<(LogLevel Level, EventId EventId, string Message, Dictionary<string, object?> State)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.ToDictionary(p => p.Key, p => p.Value) : [];
            Entries.Add((logLevel, eventId, formatter(state, exception), values));
        }
    }
}
