using Microsoft.Extensions.Logging;

namespace FederationEgress.Testing.Logging;

/// <summary>
/// A logger provider that keeps every entry (category, event id, level, formatted message and the
/// exception's full text), for asserting what the proxy logged and what it never logs (secrets).
/// Register with <c>builder.Logging.AddProvider(collector)</c> plus
/// <c>AddFilter&lt;LogCollector&gt;(null, LogLevel.Trace)</c> to see everything.
/// </summary>
public sealed class LogCollector : ILoggerProvider
{
    private readonly List<Entry> _entries = [];

    /// <summary>One log entry.</summary>
    public sealed record Entry(string Category, int EventId, LogLevel Level, string Message, string? Exception)
    {
        /// <summary>Message and exception text together.</summary>
        public string FullText => Exception is null ? Message : $"{Message}\n{Exception}";
    }

    /// <summary>Everything logged so far.</summary>
    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var entry = new Entry(category, eventId.Id, logLevel, formatter(state, exception), exception?.ToString());
            lock (owner._entries)
            {
                owner._entries.Add(entry);
            }
        }
    }
}
