using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FederationEgress.Diagnostics;

/// <summary>
/// Validates the "Telemetry" section and the <c>OTEL_*</c> exporter variables at start, naming the
/// key at fault, so a typo in a collector URL fails the deployment instead of silently dropping telemetry.
/// </summary>
internal sealed class EgressTelemetryOptionsValidator : IValidateOptions<EgressTelemetryOptions>
{
    private static readonly string[] Modes = ["auto", "true", "false"];
    private readonly IConfiguration _configuration;

    public EgressTelemetryOptionsValidator(IConfiguration configuration)
    {
        _configuration = configuration;
    }

    public ValidateOptionsResult Validate(string? name, EgressTelemetryOptions options)
    {
        var failures = new List<string>();
        const string Section = EgressTelemetryOptions.SectionName;

        if (!Modes.Contains(options.Enabled?.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"{Section}:Enabled must be auto, true or false (got '{options.Enabled}').");
        }

        CheckEndpoint(failures, $"{Section}:OtlpEndpoint", options.OtlpEndpoint);
        CheckProtocol(failures, $"{Section}:OtlpProtocol", options.OtlpProtocol);

        if (options.ServiceName is not null && string.IsNullOrWhiteSpace(options.ServiceName))
        {
            failures.Add($"{Section}:ServiceName must not be blank (remove the key to use OTEL_SERVICE_NAME or the default '{EgressTelemetryOptions.DefaultServiceName}').");
        }

        if (options.MetricExportIntervalMilliseconds is <= 0)
        {
            failures.Add($"{Section}:MetricExportIntervalMilliseconds must be > 0 (got {options.MetricExportIntervalMilliseconds}).");
        }

        CheckEndpoint(failures, OtelEnvironmentVariables.Endpoint, _configuration[OtelEnvironmentVariables.Endpoint]);
        CheckEndpoint(failures, OtelEnvironmentVariables.TracesEndpoint, _configuration[OtelEnvironmentVariables.TracesEndpoint]);
        CheckEndpoint(failures, OtelEnvironmentVariables.MetricsEndpoint, _configuration[OtelEnvironmentVariables.MetricsEndpoint]);
        CheckProtocol(failures, OtelEnvironmentVariables.Protocol, _configuration[OtelEnvironmentVariables.Protocol]);
        CheckProtocol(failures, OtelEnvironmentVariables.TracesProtocol, _configuration[OtelEnvironmentVariables.TracesProtocol]);
        CheckProtocol(failures, OtelEnvironmentVariables.MetricsProtocol, _configuration[OtelEnvironmentVariables.MetricsProtocol]);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckEndpoint(List<string> failures, string key, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{key} must be an absolute http:// or https:// URL (got '{value}').");
        }
    }

    private static void CheckProtocol(List<string> failures, string key, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        if (!OtelEnvironmentVariables.Protocols.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"{key} must be grpc or http/protobuf (got '{value}').");
        }
    }
}
