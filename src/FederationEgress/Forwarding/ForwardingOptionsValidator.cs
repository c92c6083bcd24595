using Microsoft.Extensions.Options;

namespace FederationEgress.Forwarding;

/// <summary>Validates <see cref="ForwardingOptions"/> at start; failures name the configuration key.</summary>
internal sealed class ForwardingOptionsValidator : IValidateOptions<ForwardingOptions>
{
    /// <summary>Upper bound for every timeout: a day is already far beyond anything useful.</summary>
    private const double MaxSeconds = 86_400;

    public ValidateOptionsResult Validate(string? name, ForwardingOptions options)
    {
        var failures = new List<string>();
        Seconds(failures, nameof(options.ConnectTimeoutSeconds), options.ConnectTimeoutSeconds);
        Seconds(failures, nameof(options.TlsHandshakeTimeoutSeconds), options.TlsHandshakeTimeoutSeconds);
        Seconds(failures, nameof(options.ResponseHeadersTimeoutSeconds), options.ResponseHeadersTimeoutSeconds);
        Seconds(failures, nameof(options.IdleBodyTimeoutSeconds), options.IdleBodyTimeoutSeconds);
        Seconds(failures, nameof(options.PooledConnectionLifetimeSeconds), options.PooledConnectionLifetimeSeconds);
        Seconds(failures, nameof(options.PooledConnectionIdleTimeoutSeconds), options.PooledConnectionIdleTimeoutSeconds);
        if (options.MaxConnectionsPerServer < 1)
        {
            failures.Add($"{ForwardingOptions.SectionName}:{nameof(options.MaxConnectionsPerServer)} must be >= 1 (got {options.MaxConnectionsPerServer})");
        }

        for (var i = 0; i < options.StripRequestHeaders.Length; i++)
        {
            var header = options.StripRequestHeaders[i];
            if (string.IsNullOrWhiteSpace(header) || header.AsSpan().ContainsAny(" :\t\r\n"))
            {
                failures.Add($"{ForwardingOptions.SectionName}:{nameof(options.StripRequestHeaders)}:{i} is not a header name ('{header}')");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Seconds(List<string> failures, string key, double value)
    {
        if (!(value > 0) || value > MaxSeconds)
        {
            failures.Add($"{ForwardingOptions.SectionName}:{key} must be > 0 and <= {MaxSeconds} (got {value})");
        }
    }
}
