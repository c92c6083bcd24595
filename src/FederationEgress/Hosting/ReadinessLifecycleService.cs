using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Hosting;

/// <summary>Flips readiness with the host's lifecycle and reports where the listeners are bound.</summary>
internal sealed partial class ReadinessLifecycleService : IHostedLifecycleService
{
    private readonly ReadinessState _readiness;
    private readonly EgressListeners _listeners;
    private readonly ILogger<ReadinessLifecycleService> _logger;

    public ReadinessLifecycleService(ReadinessState readiness, EgressListeners listeners, ILogger<ReadinessLifecycleService> logger)
    {
        _readiness = readiness;
        _listeners = listeners;
        _logger = logger;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        _readiness.MarkReady();
        Log.Listening(_logger, _listeners.ForwardingEndPoint?.ToString() ?? "?", _listeners.ManagementEndPoint?.ToString() ?? "?");
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        _readiness.MarkDraining();
        Log.Draining(_logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(5000, LogLevel.Information, "FederationEgress ready: forwarding on http://{Forwarding}, management on http://{Management}")]
        public static partial void Listening(ILogger logger, string forwarding, string management);

        [LoggerMessage(5001, LogLevel.Information, "Shutting down: readiness is now false")]
        public static partial void Draining(ILogger logger);
    }
}
