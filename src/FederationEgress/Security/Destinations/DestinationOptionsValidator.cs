using Microsoft.Extensions.Options;

namespace FederationEgress.Security.Destinations;

/// <summary>Validates <see cref="DestinationOptions"/> at startup; failures name the key.</summary>
internal sealed class DestinationOptionsValidator : IValidateOptions<DestinationOptions>
{
    public ValidateOptionsResult Validate(string? name, DestinationOptions options)
    {
        var failures = new List<string>();
        Check(failures, nameof(DestinationOptions.Allow), options.Allow);
        Check(failures, nameof(DestinationOptions.Deny), options.Deny);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, string key, List<string> entries)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            if (!DestinationPattern.TryParse(entries[i], out _, out var error))
            {
                failures.Add($"{DestinationOptions.SectionName}:{key}:{i} '{entries[i]}' {error}");
            }
        }
    }
}
