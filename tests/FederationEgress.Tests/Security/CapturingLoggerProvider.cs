using Microsoft.Extensions.Logging;

namespace FederationEgress.Tests.Security;

/// <summary>Collects formatted log messages with their event ids.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly List<(int EventId, LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(int EventId, LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IReadOnlyList<string> Messages => Entries.Select(e => e.Message).ToList();

    /// <summary>
    /// Adds this provider to <paramref name="logging"/>: the access log at Information (the app's
    /// test default is Warning) and <paramref name="debugCategories"/> at Debug.
    /// </summary>
    public void AddTo(ILoggingBuilder logging, params string[] debugCategories)
    {
        logging.AddProvider(this);
        logging.AddFilter(FederationEgress.Diagnostics.RequestLog.CategoryName, LogLevel.Information);
        foreach (var category in debugCategories)
        {
            logging.AddFilter(category, LogLevel.Debug);
        }
    }

    /// <summary>
    /// The messages of <paramref name="eventId"/> once at least <paramref name="count"/> were logged
    /// (some, like the access log, are written just after the client saw the response), or none
    /// after 5 s.
    /// </summary>
    public async Task<IReadOnlyList<string>> WaitForAsync(int eventId, int count = 1)
    {
        for (var i = 0; i < 200; i++)
        {
            var messages = Entries.Where(e => e.EventId == eventId).Select(e => e.Message).ToList();
            if (messages.Count >= count)
            {
                return messages;
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }

        return [];
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._entries)
            {
                owner._entries.Add((eventId.Id, logLevel, formatter(state, exception)));
            }
        }
    }
}
