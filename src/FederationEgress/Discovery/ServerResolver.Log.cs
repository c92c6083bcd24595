using Microsoft.Extensions.Logging;

namespace FederationEgress.Discovery;

internal sealed partial class ServerResolver
{
    private static partial class Log
    {
        [LoggerMessage(2000, LogLevel.Debug, "Resolved {ServerName} by {Step}: Host {HostHeader}, TLS name {TlsName}, endpoints {Endpoints}")]
        public static partial void Resolved(ILogger logger, string serverName, string step, string hostHeader, string tlsName, string endpoints);

        [LoggerMessage(2001, LogLevel.Information, "Resolving {ServerName} failed: {Error}")]
        public static partial void ResolveFailed(ILogger logger, string serverName, string error);

        [LoggerMessage(2002, LogLevel.Warning, "Background refresh of {ServerName} failed ({Error}); serving the cached resolution until it expires")]
        public static partial void RefreshFailed(ILogger logger, string serverName, string error);

        [LoggerMessage(2003, LogLevel.Debug, "Background resolution refresh ended with an error")]
        public static partial void RefreshFaulted(ILogger logger, Exception exception);

        [LoggerMessage(2030, LogLevel.Information, "Using the deprecated SRV name {Service} (no _matrix-fed._tcp records)")]
        public static partial void LegacySrvUsed(ILogger logger, string service);

        [LoggerMessage(2031, LogLevel.Warning, "{Service} mixes a \".\" target with other records; ignoring the \".\" record")]
        public static partial void MarkerDropped(ILogger logger, string service);

        [LoggerMessage(2032, LogLevel.Information, "SRV target {Target} of {Service} does not resolve ({Reason}); trying the next target")]
        public static partial void SrvTargetSkipped(ILogger logger, string service, string target, string reason);
    }
}
