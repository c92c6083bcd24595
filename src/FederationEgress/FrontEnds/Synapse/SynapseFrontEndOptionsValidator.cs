using System.Net;
using Microsoft.Extensions.Options;

namespace FederationEgress.FrontEnds.Synapse;

/// <summary>Validates <see cref="SynapseFrontEndOptions"/> at start; every message names its key.</summary>
internal sealed class SynapseFrontEndOptionsValidator : IValidateOptions<SynapseFrontEndOptions>
{
    public ValidateOptionsResult Validate(string? name, SynapseFrontEndOptions options)
    {
        var failures = new List<string>();
        if (options.RequestTimeoutSeconds <= 0)
        {
            failures.Add("Synapse:RequestTimeoutSeconds must be > 0");
        }

        if (!options.Enabled)
        {
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        if (string.IsNullOrEmpty(options.UnixSocketPath))
        {
            if (!IPAddress.TryParse(options.Address, out _))
            {
                failures.Add($"Synapse:Address '{options.Address}' is not an IP address");
            }

            if (options.Port is < 1 or > 65535)
            {
                failures.Add("Synapse:Port must be between 1 and 65535");
            }
        }

        ValidateTls(options, failures);

        var hasSecret = !string.IsNullOrEmpty(options.SharedSecret);
        var hasFile = !string.IsNullOrEmpty(options.SharedSecretFile);
        if (hasSecret && hasFile)
        {
            failures.Add("Synapse:SharedSecret and Synapse:SharedSecretFile are mutually exclusive");
        }
        else if (!hasSecret && !hasFile)
        {
            failures.Add("Synapse:SharedSecret (or Synapse:SharedSecretFile) must be set when Synapse:Enabled is true");
        }
        else if (hasFile)
        {
            if (!File.Exists(options.SharedSecretFile))
            {
                failures.Add($"Synapse:SharedSecretFile '{options.SharedSecretFile}' does not exist");
            }
            else if (string.IsNullOrWhiteSpace(File.ReadAllText(options.SharedSecretFile)))
            {
                failures.Add($"Synapse:SharedSecretFile '{options.SharedSecretFile}' is empty");
            }
        }
        else if (options.SharedSecret!.Any(char.IsWhiteSpace))
        {
            failures.Add("Synapse:SharedSecret must not contain whitespace");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateTls(SynapseFrontEndOptions options, List<string> failures)
    {
        var hasCertificate = !string.IsNullOrEmpty(options.TlsCertificateFile);
        var hasKey = !string.IsNullOrEmpty(options.TlsKeyFile);
        if (hasCertificate != hasKey)
        {
            failures.Add("Synapse:TlsCertificateFile and Synapse:TlsKeyFile must be set together");
            return;
        }

        if (!hasCertificate)
        {
            return;
        }

        if (SynapseTlsCertificate.TryLoad(options.TlsCertificateFile!, options.TlsKeyFile!, out _, out var error) is false)
        {
            failures.Add($"Synapse:TlsCertificateFile '{options.TlsCertificateFile}' with Synapse:TlsKeyFile '{options.TlsKeyFile}': {error}");
        }
    }
}
