using FederationEgress.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FederationEgress.Resilience;

/// <summary>
/// The proxy's part of graceful shutdown. The host stops in this order: readiness turns false
/// (here, and again in <c>ReadinessLifecycleService.StoppingAsync</c>: the host calls StoppingAsync
/// in reverse registration order), then this service waits <see cref="ShutdownOptions.DelaySeconds"/>
/// while the listener still serves, then Kestrel (the last
/// service registered, so the first stopped) stops accepting and waits for requests in flight, then
/// the telemetry service (registered first, stopped last) flushes. The host's shutdown timeout is
/// set by <see cref="HostShutdownTimeout"/>.
/// </summary>
internal sealed partial class ShutdownCoordinator : IHostedLifecycleService
{
    private readonly ShutdownOptions _options;
    private readonly ReadinessState _readiness;
    private readonly TimeProvider _time;
    private readonly ILogger<ShutdownCoordinator> _logger;

    public ShutdownCoordinator(IOptions<ShutdownOptions> options, ReadinessState readiness, TimeProvider time, ILogger<ShutdownCoordinator> logger)
    {
        _options = options.Value;
        _readiness = readiness;
        _time = time;
        _logger = logger;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        // Not ready before waiting, whatever order the host runs StoppingAsync in.
        _readiness.MarkDraining();
        Log.Stopping(_logger, _options.DelaySeconds, _options.DrainTimeoutSeconds);
        if (_options.DelaySeconds > 0)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(_options.DelaySeconds), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The host's own timeout ran out (or a second signal): stop now.
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        Log.Stopped(_logger);
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(8010, LogLevel.Information, "Shutdown: listener closes in {DelaySeconds} s, then requests in flight get up to {DrainSeconds} s to finish")]
        public static partial void Stopping(ILogger logger, double delaySeconds, double drainSeconds);

        [LoggerMessage(8011, LogLevel.Information, "Shutdown complete")]
        public static partial void Stopped(ILogger logger);
    }
}
