using Microsoft.Extensions.Options;

namespace FederationEgress.Resilience;

/// <summary>Validates <see cref="ShutdownOptions"/> at start; every message names the key.</summary>
internal sealed class ShutdownOptionsValidator : IValidateOptions<ShutdownOptions>
{
    /// <summary>An hour: Kubernetes' grace period would have to be longer still.</summary>
    private const double MaxSeconds = 3_600;

    public ValidateOptionsResult Validate(string? name, ShutdownOptions options)
    {
        var errors = new List<string>();
        if (!(options.DrainTimeoutSeconds >= 0) || options.DrainTimeoutSeconds > MaxSeconds)
        {
            errors.Add($"{ShutdownOptions.SectionName}:{nameof(options.DrainTimeoutSeconds)} must be between 0 and {MaxSeconds} (got {options.DrainTimeoutSeconds})");
        }

        if (!(options.DelaySeconds >= 0) || options.DelaySeconds > MaxSeconds)
        {
            errors.Add($"{ShutdownOptions.SectionName}:{nameof(options.DelaySeconds)} must be between 0 and {MaxSeconds} (got {options.DelaySeconds})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
