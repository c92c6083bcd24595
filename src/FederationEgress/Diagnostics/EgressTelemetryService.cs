using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace FederationEgress.Diagnostics;

/// <summary>
/// Owns the OpenTelemetry SDK for the host's lifetime (the job OpenTelemetry.Extensions.Hosting
/// would do): creates the providers when the host starts — before Kestrel accepts requests, since
/// it is registered ahead of the server — and flushes and disposes them when the host stops, after
/// the server drained. When nothing is to be exported no SDK exists at all.
/// </summary>
internal sealed partial class EgressTelemetryService : IHostedService, IAsyncDisposable
{
    /// <summary>Upper bound for the final export at shutdown, so an unreachable collector cannot hold the pod.</summary>
    internal static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);

    private readonly EgressTelemetryOptions _options;
    private readonly IConfiguration _configuration;
    private readonly ILogger<EgressTelemetryService> _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private OpenTelemetrySdk? _sdk;
    private OpenTelemetryEventBridge? _sdkEvents;

    public EgressTelemetryService(
        IOptions<EgressTelemetryOptions> options, IConfiguration configuration, ILogger<EgressTelemetryService> logger, TimeProvider? timeProvider = null)
    {
        _options = options.Value;
        _configuration = configuration;
        _logger = logger;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The running SDK, or null when export is disabled or the host is not started.</summary>
    internal OpenTelemetrySdk? Sdk
    {
        get
        {
            lock (_gate)
            {
                return _sdk;
            }
        }
    }

    /// <summary>The decision taken at start; null before start.</summary>
    internal TelemetryExportPlan? Plan { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var plan = TelemetryExportPlan.Create(_options, _configuration);
        Plan = plan;
        if (!plan.IsEnabled)
        {
            Log.ExportDisabled(_logger, plan.DisabledReason!);
            return Task.CompletedTask;
        }

        var sdkEvents = new OpenTelemetryEventBridge(_logger, _timeProvider);
        var sdk = EgressOpenTelemetryFactory.Create(plan);
        lock (_gate)
        {
            _sdk?.Dispose();
            _sdkEvents?.Dispose();
            _sdk = sdk;
            _sdkEvents = sdkEvents;
        }

        Log.ExportEnabled(_logger, plan.ExportTraces, plan.ExportMetrics, plan.Endpoint, plan.Protocol, plan.ServiceName);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var (sdk, sdkEvents) = Take();
        if (sdk is null)
        {
            return;
        }

        // ForceFlush and Dispose block while exporting; keep them off the shutdown thread's caller.
        await Task.Run(() => Shutdown(sdk, sdkEvents), CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        var (sdk, sdkEvents) = Take();
        if (sdk is not null)
        {
            Shutdown(sdk, sdkEvents);
        }

        return ValueTask.CompletedTask;
    }

    private (OpenTelemetrySdk? Sdk, OpenTelemetryEventBridge? SdkEvents) Take()
    {
        lock (_gate)
        {
            var taken = (_sdk, _sdkEvents);
            _sdk = null;
            _sdkEvents = null;
            return taken;
        }
    }

    private void Shutdown(OpenTelemetrySdk sdk, OpenTelemetryEventBridge? sdkEvents)
    {
        var timeout = (int)FlushTimeout.TotalMilliseconds;
        var traces = sdk.TracerProvider.ForceFlush(timeout);
        var metrics = sdk.MeterProvider.ForceFlush(timeout);
        if (!traces || !metrics)
        {
            Log.FlushIncomplete(_logger, traces, metrics, FlushTimeout.TotalSeconds);
        }

        sdk.Dispose();

        // Last, so failures of the final export are still reported.
        sdkEvents?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7000, Level = LogLevel.Information,
            Message = "OpenTelemetry export enabled: traces {Traces}, metrics {Metrics} to {Endpoint} over {Protocol} as service {ServiceName}")]
        public static partial void ExportEnabled(ILogger logger, bool traces, bool metrics, string endpoint, string protocol, string serviceName);

        [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "OpenTelemetry export disabled: {Reason}")]
        public static partial void ExportDisabled(ILogger logger, string reason);

        [LoggerMessage(EventId = 7002, Level = LogLevel.Warning,
            Message = "OpenTelemetry final export incomplete at shutdown (traces flushed {Traces}, metrics flushed {Metrics}) within {TimeoutSeconds} s; is the collector reachable?")]
        public static partial void FlushIncomplete(ILogger logger, bool traces, bool metrics, double timeoutSeconds);
    }
}
