using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace FederationEgress.Security.Tls;

/// <summary>Validates <see cref="TlsOptions"/> at startup; failures name the key.</summary>
internal sealed class TlsOptionsValidator : IValidateOptions<TlsOptions>
{
    public ValidateOptionsResult Validate(string? name, TlsOptions options)
    {
        var failures = new List<string>();
        if (ParseMinimumVersion(options.MinimumVersion) is null)
        {
            failures.Add($"Tls:MinimumVersion '{options.MinimumVersion}' must be \"1.2\" or \"1.3\"");
        }

        for (var i = 0; i < options.ExtraCaFiles.Count; i++)
        {
            try
            {
                LoadCaFile(options.ExtraCaFiles[i], i);
            }
            catch (InvalidOperationException e)
            {
                failures.Add(e.Message);
            }
        }

        SkipVerificationList.TryParse(options.SkipVerification, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Maps "1.2"/"1.3" to the protocols to enable; null when unsupported.</summary>
    internal static SslProtocols? ParseMinimumVersion(string? value) => value?.Trim() switch
    {
        "1.2" => SslProtocols.Tls12 | SslProtocols.Tls13,
        "1.3" => SslProtocols.Tls13,
        _ => null,
    };

    /// <summary>Loads every certificate of a PEM bundle; throws <see cref="InvalidOperationException"/> naming the key.</summary>
    internal static X509Certificate2Collection LoadCaFile(string? path, int index)
    {
        var key = $"Tls:ExtraCaFiles:{index} '{path}'";
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
        {
            throw new InvalidOperationException($"{key} does not exist");
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{key} cannot be read as PEM certificates: {e.Message}", e);
        }

        if (certificates.Count == 0)
        {
            throw new InvalidOperationException($"{key} contains no PEM certificates");
        }

        return certificates;
    }
}
