using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Tests.Dns;

/// <summary>Records log entries (all levels) and lets a test wait for an event id: a signal instead of a sleep.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly object _gate = new();
    private readonly List<(int EventId, Action Signal)> _waiters = [];

    public ConcurrentQueue<(LogLevel Level, EventId EventId, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        Entries.Enqueue((logLevel, eventId, formatter(state, exception)));
        lock (_gate)
        {
            _waiters.RemoveAll(w =>
            {
                if (w.EventId != eventId.Id)
                {
                    return false;
                }

                w.Signal();
                return true;
            });
        }
    }

    /// <summary>Completes when an entry with <paramref name="eventId"/> is logged (or already was).</summary>
    public Task WaitForEventAsync(int eventId, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (Entries.Any(e => e.EventId.Id == eventId))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((eventId, () => done.TrySetResult()));
        }

        return done.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }
}
