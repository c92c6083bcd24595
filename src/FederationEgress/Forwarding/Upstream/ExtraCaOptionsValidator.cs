using Microsoft.Extensions.Options;

namespace FederationEgress.Forwarding.Upstream;

/// <summary>Checks that every configured CA file exists and holds at least one PEM certificate.</summary>
internal sealed class ExtraCaOptionsValidator : IValidateOptions<ExtraCaOptions>
{
    public ValidateOptionsResult Validate(string? name, ExtraCaOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.ExtraCaFiles.Length; i++)
        {
            var key = $"{ExtraCaOptions.SectionName}:{nameof(options.ExtraCaFiles)}:{i}";
            var path = options.ExtraCaFiles[i];
            if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
            {
                failures.Add($"{key} names a file that does not exist ('{path}')");
                continue;
            }

            if (ExtraCaCertificateValidator.LoadPem(path).Count == 0)
            {
                failures.Add($"{key} ('{path}') contains no PEM certificate");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
