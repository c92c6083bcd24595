using Microsoft.Extensions.Options;

namespace FederationEgress.Resilience;

/// <summary>Validates <see cref="BackoffOptions"/> at start; every message names the key.</summary>
internal sealed class BackoffOptionsValidator : IValidateOptions<BackoffOptions>
{
    /// <summary>A week: beyond that an operator wants the destination denied, not backed off.</summary>
    private const double MaxIntervalSeconds = 7 * 86_400;

    private const string S = BackoffOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, BackoffOptions options)
    {
        var errors = new List<string>();
        void Require(bool ok, string message)
        {
            if (!ok)
            {
                errors.Add(S + message);
            }
        }

        Require(options.FailureThreshold is >= 1 and <= 1000, $"FailureThreshold must be between 1 and 1000 (got {options.FailureThreshold})");
        Require(options.InitialSeconds is > 0 and <= MaxIntervalSeconds, $"InitialSeconds must be > 0 and <= {MaxIntervalSeconds} (got {options.InitialSeconds})");
        Require(options.MaxSeconds is > 0 and <= MaxIntervalSeconds, $"MaxSeconds must be > 0 and <= {MaxIntervalSeconds} (got {options.MaxSeconds})");
        Require(options.MaxSeconds >= options.InitialSeconds, $"MaxSeconds must be >= InitialSeconds (got {options.MaxSeconds} < {options.InitialSeconds})");
        Require(options.Multiplier is >= 1 and <= 10, $"Multiplier must be between 1 and 10 (got {options.Multiplier})");
        Require(options.JitterFraction is >= 0 and <= 0.5, $"JitterFraction must be between 0 and 0.5 (got {options.JitterFraction})");
        Require(options.MaxTrackedDestinations >= 1, $"MaxTrackedDestinations must be >= 1 (got {options.MaxTrackedDestinations})");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
