using Microsoft.Extensions.Options;

namespace FederationEgress.Discovery;

/// <summary>Validates <see cref="DiscoveryOptions"/> at start; every message names the offending key.</summary>
internal sealed class DiscoveryOptionsValidator : IValidateOptions<DiscoveryOptions>
{
    private const string S = DiscoveryOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, DiscoveryOptions options)
    {
        var errors = new List<string>();
        void Require(bool ok, string message)
        {
            if (!ok)
            {
                errors.Add(S + message);
            }
        }

        Require(options.WellKnownTimeoutSeconds > 0, "WellKnownTimeoutSeconds must be > 0");
        Require(options.WellKnownMaxBodyBytes is > 0 and <= 16 * 1024 * 1024, "WellKnownMaxBodyBytes must be between 1 and 16777216");
        Require(options.WellKnownMaxRedirects is >= 0 and <= 20, "WellKnownMaxRedirects must be between 0 and 20");
        Require(options.WellKnownMinCacheSeconds > 0, "WellKnownMinCacheSeconds must be > 0");
        Require(options.WellKnownMaxCacheSeconds >= options.WellKnownMinCacheSeconds, "WellKnownMaxCacheSeconds must be >= WellKnownMinCacheSeconds");
        Require(options.WellKnownDefaultCacheSeconds > 0, "WellKnownDefaultCacheSeconds must be > 0");
        Require(options.WellKnownInvalidCacheSeconds > 0, "WellKnownInvalidCacheSeconds must be > 0");
        Require(options.WellKnownDownCacheSeconds > 0, "WellKnownDownCacheSeconds must be > 0");
        Require(options.WellKnownDownCacheSeconds <= options.WellKnownInvalidCacheSeconds, "WellKnownDownCacheSeconds must be <= WellKnownInvalidCacheSeconds (the back-off cap)");
        Require(options.WellKnownRememberValidSeconds >= 0, "WellKnownRememberValidSeconds must be >= 0");
        Require(options.WellKnownRefreshFraction is >= 0 and < 1, "WellKnownRefreshFraction must be in [0, 1)");
        Require(options.CacheJitterFraction is >= 0 and <= 0.5, "CacheJitterFraction must be in [0, 0.5]");
        Require(options.WellKnownRetryAttempts is >= 1 and <= 10, "WellKnownRetryAttempts must be between 1 and 10");
        Require(options.WellKnownRetryDelayMilliseconds >= 0, "WellKnownRetryDelayMilliseconds must be >= 0");
        Require(options.MaxCachedServers > 0, "MaxCachedServers must be > 0");
        Require(options.StaleResolutionSeconds > 0, "StaleResolutionSeconds must be > 0");

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
