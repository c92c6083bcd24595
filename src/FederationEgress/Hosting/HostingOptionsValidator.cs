using System.Net;
using Microsoft.Extensions.Options;

namespace FederationEgress.Hosting;

/// <summary>Validates the "Listen", "Management" and "Limits" sections at start; failures name the key.</summary>
internal sealed class HostingOptionsValidator :
    IValidateOptions<EgressListenOptions>,
    IValidateOptions<ManagementOptions>,
    IValidateOptions<LimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, EgressListenOptions options) =>
        Result(Endpoint(EgressListenOptions.SectionName, options.Address, options.Port));

    public ValidateOptionsResult Validate(string? name, ManagementOptions options) =>
        Result(Endpoint(ManagementOptions.SectionName, options.Address, options.Port));

    public ValidateOptionsResult Validate(string? name, LimitsOptions options)
    {
        var failures = new List<string>();
        if (options.MaxRequestHeadersTotalSize < 1024)
        {
            failures.Add($"{LimitsOptions.SectionName}:{nameof(options.MaxRequestHeadersTotalSize)} must be >= 1024 (got {options.MaxRequestHeadersTotalSize})");
        }

        if (options.MaxRequestBodySize < 1)
        {
            failures.Add($"{LimitsOptions.SectionName}:{nameof(options.MaxRequestBodySize)} must be > 0 (got {options.MaxRequestBodySize})");
        }

        if (options.MaxConcurrentRequests < 1)
        {
            failures.Add($"{LimitsOptions.SectionName}:{nameof(options.MaxConcurrentRequests)} must be > 0 (got {options.MaxConcurrentRequests})");
        }

        if (options.MaxConcurrentRequestsPerDestination < 1)
        {
            failures.Add($"{LimitsOptions.SectionName}:{nameof(options.MaxConcurrentRequestsPerDestination)} must be > 0 (got {options.MaxConcurrentRequestsPerDestination})");
        }

        if (options.RequestHeadersTimeoutSeconds < 1)
        {
            failures.Add($"{LimitsOptions.SectionName}:{nameof(options.RequestHeadersTimeoutSeconds)} must be > 0 (got {options.RequestHeadersTimeoutSeconds})");
        }

        return Result(failures);
    }

    private static List<string> Endpoint(string section, string address, int port)
    {
        var failures = new List<string>();
        if (!IPAddress.TryParse(address, out _))
        {
            failures.Add($"{section}:Address must be an IP address such as 127.0.0.1 or :: (got '{address}')");
        }

        if (port is < 0 or > 65535)
        {
            failures.Add($"{section}:Port must be between 0 and 65535 (got {port})");
        }

        return failures;
    }

    private static ValidateOptionsResult Result(List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
}
