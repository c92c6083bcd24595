using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Tests.Diagnostics;

/// <summary>An in-memory logger provider whose entries tests can wait for.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();
    private readonly SemaphoreSlim _added = new(0);

    public IReadOnlyList<Entry> Entries => _entries.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>Waits until an entry matching <paramref name="predicate"/> has been logged.</summary>
    public async Task<Entry> WaitForAsync(Func<Entry, bool> predicate, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var match = _entries.FirstOrDefault(predicate);
            if (match is not null)
            {
                return match;
            }

            try
            {
                await _added.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No matching log entry within {timeout}; got: {string.Join(" | ", _entries.Select(e => e.Message))}");
            }
        }
    }

    public void Dispose() => _added.Dispose();

    internal sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message);

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner._entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception)));
            owner._added.Release();
        }
    }
}
