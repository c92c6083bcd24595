using FederationEgress.Diagnostics.ConsoleOutput;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace FederationEgress.Diagnostics;

/// <summary>Logging set-up: console output, plain or JSON, correlated with traces.</summary>
public static class LoggingBuilderExtensions
{
    /// <summary>Timestamp format of JSON lines unless configured: ISO 8601 UTC with milliseconds.</summary>
    internal const string DefaultJsonTimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";

    private const string FormatterNamePath = "Logging:Console:FormatterName";

    private const string JsonOptionsPath = "Logging:Console:FormatterOptions";

    /// <summary>
    /// Adds console logging configured from the "Logging" section. Set
    /// <c>Logging:Console:FormatterName</c> to "json" for one JSON object per line (scopes, and so the
    /// current <c>TraceId</c>/<c>SpanId</c>, included; UTC timestamps) or "simple" (default) for text.
    /// Every log entry written inside a span carries that span's trace id and span id as a scope.
    /// </summary>
    public static ILoggingBuilder AddEgressLogging(this ILoggingBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);

        builder.AddConfiguration(configuration.GetSection("Logging"));
        builder.Configure(options => options.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        builder.AddConsole();

        // Keep the console's options, formatters and filters, but write through the batching
        // provider: the framework's wakes a writer thread per line, which under load costs a context
        // switch per forwarded request once the access log is on (docs/benchmarks.md).
        for (var i = builder.Services.Count - 1; i >= 0; i--)
        {
            if (builder.Services[i].ServiceType == typeof(ILoggerProvider) && builder.Services[i].ImplementationType == typeof(ConsoleLoggerProvider))
            {
                builder.Services.RemoveAt(i);
            }
        }

        builder.Services.TryAddSingleton(static _ => ConsoleLogOutput.OpenStandard());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, BatchingConsoleLoggerProvider>());

        // WebApplication.CreateSlimBuilder calls AddSimpleConsole(), whose explicit FormatterName
        // would beat the configuration binding; the configured formatter must win.
        builder.Services.PostConfigure<ConsoleLoggerOptions>(options =>
        {
            if (configuration[FormatterNamePath] is { Length: > 0 } formatter)
            {
                options.FormatterName = formatter.Trim();
            }
        });

        // Defaults that only apply where the operator did not choose: PostConfigure runs after the
        // configuration binding, so it checks the keys instead of overwriting them.
        builder.Services.PostConfigure<JsonConsoleFormatterOptions>(options =>
        {
            if (configuration[$"{JsonOptionsPath}:IncludeScopes"] is null)
            {
                options.IncludeScopes = true;
            }

            if (configuration[$"{JsonOptionsPath}:TimestampFormat"] is null)
            {
                options.TimestampFormat = DefaultJsonTimestampFormat;
            }

            if (configuration[$"{JsonOptionsPath}:UseUtcTimestamp"] is null)
            {
                options.UseUtcTimestamp = true;
            }
        });
        return builder;
    }
}
