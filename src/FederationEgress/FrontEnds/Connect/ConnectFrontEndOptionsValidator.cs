using System.Net;
using Microsoft.Extensions.Options;

namespace FederationEgress.FrontEnds.Connect;

/// <summary>Validates <see cref="ConnectFrontEndOptions"/> at start; every message names its key.</summary>
internal sealed class ConnectFrontEndOptionsValidator : IValidateOptions<ConnectFrontEndOptions>
{
    public ValidateOptionsResult Validate(string? name, ConnectFrontEndOptions options)
    {
        var failures = new List<string>();
        if (!IPAddress.TryParse(options.Address, out _))
        {
            failures.Add($"Connect:Address '{options.Address}' is not an IP address");
        }

        if (options.Port is < 1 or > 65535)
        {
            failures.Add("Connect:Port must be between 1 and 65535");
        }

        if (options.AllowedPorts is { } ports && (ports.Length == 0 || ports.Any(p => p is < 1 or > 65535)))
        {
            failures.Add("Connect:AllowedPorts must list ports between 1 and 65535");
        }

        if (options.IdleTimeoutSeconds <= 0)
        {
            failures.Add("Connect:IdleTimeoutSeconds must be > 0");
        }

        if (options.ConnectTimeoutSeconds <= 0)
        {
            failures.Add("Connect:ConnectTimeoutSeconds must be > 0");
        }

        var hasUser = !string.IsNullOrEmpty(options.Username);
        var hasPassword = !string.IsNullOrEmpty(options.Password);
        if (hasUser != hasPassword)
        {
            failures.Add("Connect:Username and Connect:Password must be set together");
        }
        else if (hasUser && options.Username!.Contains(':', StringComparison.Ordinal))
        {
            failures.Add("Connect:Username must not contain ':'");
        }

        if (hasUser && !string.IsNullOrEmpty(options.Token))
        {
            failures.Add("Connect:Token and Connect:Username/Password are mutually exclusive");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
