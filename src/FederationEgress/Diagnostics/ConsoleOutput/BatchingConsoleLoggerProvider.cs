using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace FederationEgress.Diagnostics.ConsoleOutput;

/// <summary>
/// The console logger provider the proxy uses in place of the framework's: the same formatters
/// (<c>simple</c>, <c>json</c>, <c>systemd</c>, chosen by <c>Logging:Console:FormatterName</c>) and
/// options, formatting on the logging thread, but output through <see cref="ConsoleLogWriter"/> in
/// batches instead of a writer thread woken per line.
/// </summary>
[ProviderAlias("Console")]
internal sealed class BatchingConsoleLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly IOptionsMonitor<ConsoleLoggerOptions> _options;
    private readonly Dictionary<string, ConsoleFormatter> _formatters;
    private readonly ConsoleLogWriter _writer;
    private readonly IDisposable? _reload;
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();
    private volatile ConsoleFormatter _formatter;
    private volatile int _errorThreshold;

    public BatchingConsoleLoggerProvider(IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters, ConsoleLogOutput output)
        : this(options, formatters, new ConsoleLogWriter(output))
    {
    }

    internal BatchingConsoleLoggerProvider(IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters, ConsoleLogWriter writer)
    {
        _options = options;
        _formatters = formatters.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
        _writer = writer;
        _formatter = Select(options.CurrentValue);
        _errorThreshold = (int)options.CurrentValue.LogToStandardErrorThreshold;
        _reload = options.OnChange(o =>
        {
            _formatter = Select(o);
            _errorThreshold = (int)o.LogToStandardErrorThreshold;
        });
    }

    internal ConsoleFormatter Formatter => _formatter;

    internal IExternalScopeProvider Scopes => _scopes;

    internal ConsoleLogWriter Writer => _writer;

    internal bool ToStandardError(LogLevel level) => (int)level >= _errorThreshold;

    public ILogger CreateLogger(string categoryName) => new BatchingConsoleLogger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
        _reload?.Dispose();
        _writer.Dispose();
    }

    private ConsoleFormatter Select(ConsoleLoggerOptions options) =>
        options.FormatterName is { Length: > 0 } name && _formatters.TryGetValue(name, out var formatter)
            ? formatter
            : _formatters.TryGetValue(ConsoleFormatterNames.Simple, out var simple) ? simple : _formatters.Values.First();
}
