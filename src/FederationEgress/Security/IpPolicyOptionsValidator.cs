using FederationEgress.Security.IpRanges;
using Microsoft.Extensions.Options;

namespace FederationEgress.Security;

/// <summary>Validates <see cref="IpPolicyOptions"/> at startup; failures name the key.</summary>
internal sealed class IpPolicyOptionsValidator : IValidateOptions<IpPolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, IpPolicyOptions options)
    {
        var failures = new List<string>();
        CheckCidrs(failures, nameof(IpPolicyOptions.DenyRanges), options.DenyRanges);
        CheckCidrs(failures, nameof(IpPolicyOptions.AllowRanges), options.AllowRanges);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Adds "Section:Key[i] 'x' is not a CIDR: why" for each bad entry.</summary>
    internal static void CheckCidrs(List<string> failures, string key, IReadOnlyList<string>? values, string section = IpPolicyOptions.SectionName)
    {
        if (values is null)
        {
            return;
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (!IpNetwork.TryParse(values[i] ?? string.Empty, out _, out var error))
            {
                failures.Add($"{section}:{key}:{i} '{values[i]}' is not a CIDR: {error}");
            }
        }
    }
}
