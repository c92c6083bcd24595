using FederationEgress.Dns.Client;
using Microsoft.Extensions.Options;

namespace FederationEgress.Dns;

/// <summary>Validates <see cref="DnsOptions"/> at start; every failure names its configuration key.</summary>
internal sealed class DnsOptionsValidator : IValidateOptions<DnsOptions>
{
    private const string Prefix = DnsOptions.SectionName + ":";
    private const int MaxTimeoutMilliseconds = 60_000;
    private const int MaxAttempts = 10;
    private const int MinUdpPayloadSize = 512;
    private const int MaxCnameDepthLimit = 32;

    public ValidateOptionsResult Validate(string? name, DnsOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.Servers.Count; i++)
        {
            if (!DnsServerEndPoint.TryParse(options.Servers[i], out _, out var error))
            {
                failures.Add($"{Prefix}Servers:{i} {error}");
            }
        }

        if (options.Servers.Count == 0 && string.IsNullOrWhiteSpace(options.ResolvConfPath))
        {
            failures.Add($"{Prefix}ResolvConfPath must be set when {Prefix}Servers is empty");
        }

        if (options.TimeoutMilliseconds is { } timeout && timeout is <= 0 or > MaxTimeoutMilliseconds)
        {
            failures.Add($"{Prefix}TimeoutMilliseconds must be between 1 and {MaxTimeoutMilliseconds} (was {timeout})");
        }

        if (options.Attempts is { } attempts && attempts is < 1 or > MaxAttempts)
        {
            failures.Add($"{Prefix}Attempts must be between 1 and {MaxAttempts} (was {attempts})");
        }

        if (options.UdpPayloadSize is < MinUdpPayloadSize or > ushort.MaxValue)
        {
            failures.Add($"{Prefix}UdpPayloadSize must be between {MinUdpPayloadSize} and {ushort.MaxValue} (was {options.UdpPayloadSize})");
        }

        CheckRange(failures, "MinTtlSeconds", options.MinTtlSeconds, "MaxTtlSeconds", options.MaxTtlSeconds);
        CheckRange(failures, "NegativeMinTtlSeconds", options.NegativeMinTtlSeconds, "NegativeMaxTtlSeconds", options.NegativeMaxTtlSeconds);

        if (options.MaxStaleSeconds < 0)
        {
            failures.Add($"{Prefix}MaxStaleSeconds must be >= 0 (was {options.MaxStaleSeconds})");
        }

        if (options.MaxEntries < 1)
        {
            failures.Add($"{Prefix}MaxEntries must be >= 1 (was {options.MaxEntries})");
        }

        if (options.MaxCnameDepth is < 1 or > MaxCnameDepthLimit)
        {
            failures.Add($"{Prefix}MaxCnameDepth must be between 1 and {MaxCnameDepthLimit} (was {options.MaxCnameDepth})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckRange(List<string> failures, string minKey, int min, string maxKey, int max)
    {
        if (min < 0)
        {
            failures.Add($"{Prefix}{minKey} must be >= 0 (was {min})");
        }

        if (max < min)
        {
            failures.Add($"{Prefix}{maxKey} must be >= {Prefix}{minKey} (was {max} < {min})");
        }
    }
}
