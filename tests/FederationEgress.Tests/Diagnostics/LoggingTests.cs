using FederationEgress.Diagnostics.ConsoleOutput;
using System.Diagnostics;
using System.Text.Json;
using FederationEgress.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace FederationEgress.Tests.Diagnostics;

[Collection(nameof(ConsoleCaptureCollection))]
public sealed class LoggingTests
{
    [Fact]
    public void AddEgressLogging_JsonFormatter_AccessLogLineIsJsonWithTraceAndSpanIds()
    {
        using var activity = new Activity("test.request").Start();

        var lines = CaptureConsole(
            new Dictionary<string, string?> { ["Logging:Console:FormatterName"] = "json" },
            factory => RequestLog.Forwarded(factory.CreateLogger(RequestLog.CategoryName), "PUT", "example.org", 200, 123.45, "203.0.113.7:8448", null));

        var line = Assert.Single(lines, l => l.Contains("example.org", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal(RequestLog.ForwardedEventId, root.GetProperty("EventId").GetInt32());
        Assert.Equal("Information", root.GetProperty("LogLevel").GetString());
        Assert.Equal(RequestLog.CategoryName, root.GetProperty("Category").GetString());
        Assert.EndsWith("Z", root.GetProperty("Timestamp").GetString());
        var state = root.GetProperty("State");
        Assert.Equal("PUT", state.GetProperty("Method").GetString());
        Assert.Equal("example.org", state.GetProperty("ServerName").GetString());
        Assert.Equal(200, state.GetProperty("StatusCode").GetInt32());
        Assert.Equal(123.45, state.GetProperty("DurationMs").GetDouble());
        Assert.Equal("203.0.113.7:8448", state.GetProperty("Endpoint").GetString());
        var scope = Assert.Single(root.GetProperty("Scopes").EnumerateArray(), s => s.TryGetProperty("TraceId", out _));
        Assert.Equal(activity.TraceId.ToHexString(), scope.GetProperty("TraceId").GetString());
        Assert.Equal(activity.SpanId.ToHexString(), scope.GetProperty("SpanId").GetString());
    }

    [Fact]
    public async Task AddEgressLogging_LogInsideIncomingRequest_CarriesHomeserverTraceId()
    {
        var ids = TraceIds.New();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:Console:FormatterName"] = "json" })
            .Build();
        using var captured = new StringWriter();
        await using (var host = await TelemetryTestHost.StartAsync(
            new Dictionary<string, string?>(),
            app => app.MapGet("/{serverName}/{**rest}", (string serverName, ILoggerFactory loggers) =>
            {
                RequestLog.Forwarded(loggers.CreateLogger(RequestLog.CategoryName), "GET", serverName, 200, 1, null, null);
                return "ok";
            }),
            logging: logging =>
            {
                logging.Services.AddSingleton(new ConsoleLogOutput(TextWriter.Synchronized(captured), TextWriter.Null));
                logging.AddEgressLogging(configuration);
            }))
        {
            await OtlpExportTests.SendAsync(host, ids);
        }

        var line = Assert.Single(captured.ToString().Split('\n'), l => l.Contains("\"EventId\":7010", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(line);
        var scope = Assert.Single(json.RootElement.GetProperty("Scopes").EnumerateArray(), s => s.TryGetProperty("TraceId", out _));
        Assert.Equal(ids.TraceId, scope.GetProperty("TraceId").GetString());
        Assert.Matches("^[0-9a-f]{16}$", scope.GetProperty("SpanId").GetString());
        Assert.NotEqual(ids.ParentSpanId, scope.GetProperty("SpanId").GetString());
    }

    [Fact]
    public void AddEgressLogging_NoFormatterConfigured_PlainTextLines()
    {
        var lines = CaptureConsole(
            new Dictionary<string, string?>(),
            factory => RequestLog.Forwarded(factory.CreateLogger(RequestLog.CategoryName), "GET", "plain.example", 404, 5, null, null));

        var line = Assert.Single(lines, l => l.Contains(RequestLog.CategoryName, StringComparison.Ordinal));
        Assert.StartsWith("info: ", line);
        Assert.Contains(lines, l => l.Contains("GET plain.example 404 in 5.0 ms", StringComparison.Ordinal));
    }

    [Fact]
    public void AddEgressLogging_Providers_BatchingConsoleInsteadOfTheFrameworkConsole()
    {
        using var provider = Build(new Dictionary<string, string?>());

        var providers = provider.GetServices<ILoggerProvider>().ToList();

        Assert.Single(providers.OfType<FederationEgress.Diagnostics.ConsoleOutput.BatchingConsoleLoggerProvider>());
        Assert.Empty(providers.OfType<ConsoleLoggerProvider>());
    }

    [Fact]
    public void AddEgressLogging_ConsoleLogLevelFilter_AppliesToTheBatchingConsole()
    {
        var lines = CaptureConsole(
            new Dictionary<string, string?> { [$"Logging:Console:LogLevel:{RequestLog.CategoryName}"] = "None" },
            factory =>
            {
                RequestLog.Forwarded(factory.CreateLogger(RequestLog.CategoryName), "GET", "filtered.example", 200, 1, null, null);
                factory.CreateLogger("Other").LogWarning("still written");
            });

        Assert.DoesNotContain(lines, l => l.Contains("filtered.example", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("still written", StringComparison.Ordinal));
    }

    [Fact]
    public void AddEgressLogging_JsonDefaults_OverriddenByConfiguration()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Logging:Console:FormatterName"] = "json",
            ["Logging:Console:FormatterOptions:IncludeScopes"] = "false",
            ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss ",
        });

        var options = provider.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>().CurrentValue;
        Assert.False(options.IncludeScopes);
        Assert.Equal("HH:mm:ss ", options.TimestampFormat);
        Assert.True(options.UseUtcTimestamp);
        Assert.Equal("json", provider.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    [Fact]
    public void AddEgressLogging_LogLevelForAccessLogCategory_FiltersAccessLog()
    {
        var lines = CaptureConsole(
            new Dictionary<string, string?> { [$"Logging:LogLevel:{RequestLog.CategoryName}"] = "Warning" },
            factory => RequestLog.Forwarded(factory.CreateLogger(RequestLog.CategoryName), "GET", "quiet.example", 200, 1, null, null));

        Assert.DoesNotContain(lines, l => l.Contains("quiet.example", StringComparison.Ordinal));
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging(logging => logging.AddEgressLogging(configuration)).BuildServiceProvider();
    }

    /// <summary>Runs <paramref name="write"/> against a console logger built now, and returns what it printed.</summary>
    private static List<string> CaptureConsole(Dictionary<string, string?> settings, Action<ILoggerFactory> write)
    {
        using var captured = new StringWriter();

        // The console logger writes on a background queue; disposing the provider drains the queue.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using (var provider = new ServiceCollection()
            .AddSingleton(new ConsoleLogOutput(TextWriter.Synchronized(captured), TextWriter.Null))
            .AddLogging(logging => logging.AddEgressLogging(configuration))
            .BuildServiceProvider())
        {
            write(provider.GetRequiredService<ILoggerFactory>());
        }

        return captured.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }
}
