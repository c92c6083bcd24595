using FederationEgress.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FederationEgress.Resilience;

/// <summary>
/// Sets <see cref="HostOptions.ShutdownTimeout"/> from the "Shutdown" section: the pre-close delay
/// plus the drain time plus the telemetry flush's own bound. Kestrel waits for requests in flight
/// until the host's shutdown token fires, and the telemetry flush runs after Kestrel with the same
/// token, so the flush keeps its reserve only when the drain finishes within DrainTimeoutSeconds.
/// </summary>
internal sealed class HostShutdownTimeout : IConfigureOptions<HostOptions>
{
    private readonly IOptions<ShutdownOptions> _shutdown;

    public HostShutdownTimeout(IOptions<ShutdownOptions> shutdown)
    {
        _shutdown = shutdown;
    }

    /// <summary>The host's shutdown timeout for <paramref name="options"/>.</summary>
    public static TimeSpan For(ShutdownOptions options) =>
        TimeSpan.FromSeconds(options.DelaySeconds + options.DrainTimeoutSeconds) + EgressTelemetryService.FlushTimeout;

    public void Configure(HostOptions options) => options.ShutdownTimeout = For(_shutdown.Value);
}
