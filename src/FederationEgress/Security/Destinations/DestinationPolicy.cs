using FederationEgress.ServerNames;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FederationEgress.Security.Destinations;

/// <inheritdoc cref="IDestinationPolicy"/>
internal sealed partial class DestinationPolicy : IDestinationPolicy
{
    private readonly DestinationPattern[] _allow;
    private readonly DestinationPattern[] _deny;
    private readonly ILogger<DestinationPolicy> _logger;

    public DestinationPolicy(IOptions<DestinationOptions> options, ILogger<DestinationPolicy> logger)
    {
        _logger = logger;
        _allow = Parse(options.Value.Allow, nameof(DestinationOptions.Allow));
        _deny = Parse(options.Value.Deny, nameof(DestinationOptions.Deny));
    }

    public bool IsAllowed(ServerName serverName, out string reason)
    {
        ArgumentNullException.ThrowIfNull(serverName);
        foreach (var pattern in _deny)
        {
            if (pattern.Matches(serverName))
            {
                reason = $"destination {serverName} matches '{pattern}' in Destinations:Deny";
                return Denied(serverName, reason);
            }
        }

        if (_allow.Length == 0)
        {
            reason = string.Empty;
            return true;
        }

        foreach (var pattern in _allow)
        {
            if (pattern.Matches(serverName))
            {
                reason = string.Empty;
                return true;
            }
        }

        reason = $"destination {serverName} is not in Destinations:Allow";
        return Denied(serverName, reason);
    }

    private bool Denied(ServerName serverName, string reason)
    {
        SecurityMetrics.RecordDenial(SecurityMetrics.Destination);
        Log.DestinationDenied(_logger, serverName.Value, reason);
        return false;
    }

    private static DestinationPattern[] Parse(List<string> entries, string key) =>
        entries.Select((entry, i) => DestinationPattern.TryParse(entry, out var pattern, out var error)
            ? pattern
            : throw new FormatException($"{DestinationOptions.SectionName}:{key}:{i} '{entry}' {error}")).ToArray();

    private static partial class Log
    {
        [LoggerMessage(EventId = 3020, EventName = "DestinationDenied", Level = LogLevel.Information,
            Message = "Destination {ServerName} denied: {Reason}")]
        public static partial void DestinationDenied(ILogger logger, string serverName, string reason);
    }
}
