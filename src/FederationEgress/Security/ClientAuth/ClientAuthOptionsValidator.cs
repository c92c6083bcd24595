using Microsoft.Extensions.Options;

namespace FederationEgress.Security.ClientAuth;

/// <summary>Validates <see cref="ClientAuthOptions"/> at startup; failures name the key (never the token).</summary>
internal sealed class ClientAuthOptionsValidator : IValidateOptions<ClientAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, ClientAuthOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.HeaderName) || !IsToken(options.HeaderName))
        {
            failures.Add($"ClientAuth:HeaderName '{options.HeaderName}' is not a valid header name");
        }
        else if (options.HeaderName.Equals("Authorization", StringComparison.OrdinalIgnoreCase) ||
                 options.HeaderName.Equals("Host", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"ClientAuth:HeaderName must not be '{options.HeaderName}' (it is forwarded to the destination; Authorization carries X-Matrix)");
        }

        if (!string.IsNullOrEmpty(options.BearerToken) && !string.IsNullOrEmpty(options.BearerTokenFile))
        {
            failures.Add("ClientAuth:BearerToken and ClientAuth:BearerTokenFile are both set; use one");
        }
        else if (!string.IsNullOrEmpty(options.BearerToken) && options.BearerToken.Trim() != options.BearerToken)
        {
            failures.Add("ClientAuth:BearerToken has leading or trailing whitespace");
        }
        else if (!string.IsNullOrEmpty(options.BearerTokenFile))
        {
            try
            {
                ReadTokenFile(options.BearerTokenFile);
            }
            catch (InvalidOperationException e)
            {
                failures.Add(e.Message);
            }
        }

        Security.IpPolicyOptionsValidator.CheckCidrs(failures, nameof(ClientAuthOptions.AllowedClientRanges), options.AllowedClientRanges, ClientAuthOptions.SectionName);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Reads a token file (trailing newline trimmed); throws <see cref="InvalidOperationException"/> naming the key.</summary>
    internal static string ReadTokenFile(string path)
    {
        string token;
        try
        {
            token = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"ClientAuth:BearerTokenFile '{path}' cannot be read: {e.Message}", e);
        }

        return token.Length > 0 ? token : throw new InvalidOperationException($"ClientAuth:BearerTokenFile '{path}' is empty");
    }

    private static bool IsToken(string value) =>
        value.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c));
}
