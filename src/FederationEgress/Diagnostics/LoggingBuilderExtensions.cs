using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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
