using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;


namespace FederationEgress.Diagnostics.ConsoleOutput;

/// <summary>One category's logger of <see cref="BatchingConsoleLoggerProvider"/>.</summary>
internal sealed class BatchingConsoleLogger : ILogger
{
    // Lines are formatted on the logging thread into a reused per-thread buffer.
    [ThreadStatic]
    private static StringWriter? t_buffer;

    private const int MaxRetainedBufferChars = 4096;

    private readonly string _category;
    private readonly BatchingConsoleLoggerProvider _provider;

    public BatchingConsoleLogger(string category, BatchingConsoleLoggerProvider provider)
    {
        _category = category;
        _provider = provider;
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => _provider.Scopes.Push(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var buffer = t_buffer ??= new StringWriter(new StringBuilder(256), System.Globalization.CultureInfo.InvariantCulture);
        var entry = new LogEntry<TState>(logLevel, _category, eventId, state, exception, formatter);
        _provider.Formatter.Write(in entry, _provider.Scopes, buffer);
        var builder = buffer.GetStringBuilder();
        if (builder.Length == 0)
        {
            return;
        }

        _provider.Writer.Enqueue(builder.ToString(), _provider.ToStandardError(logLevel));
        builder.Clear();
        if (builder.Capacity > MaxRetainedBufferChars)
        {
            builder.Capacity = MaxRetainedBufferChars;
        }
    }
}
