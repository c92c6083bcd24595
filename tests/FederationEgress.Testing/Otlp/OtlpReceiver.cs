using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Testing.Otlp;

/// <summary>
/// An in-test OpenTelemetry collector: a real Kestrel server on loopback accepting OTLP exports,
/// over HTTP/1.1 protobuf (<c>/v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c> at
/// <see cref="HttpEndpoint"/>) and over gRPC on HTTP/2 cleartext (<c>TraceService/Export</c>,
/// <c>MetricsService/Export</c> at <see cref="GrpcEndpoint"/>). Decodes what it receives with
/// <see cref="OtlpProtobufDecoder"/> and lets tests wait for spans and metrics to arrive.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    /// <summary>How long the wait helpers wait by default; exports are batched, and CI machines are slow.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private const string GrpcTracePath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    private const string GrpcMetricsPath = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
    private const string GrpcLogsPath = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

    private const string SilentActivitySourceName = "FederationEgress.Testing.OtlpReceiver";

    private readonly Lock _gate = new();
    private readonly List<OtlpSpan> _spans = [];
    private readonly List<OtlpMetric> _metrics = [];
    private readonly List<OtlpExportRequest> _requests = [];
    private readonly WebApplication _app;
    private TaskCompletionSource _changed = NewSignal();

    private OtlpReceiver(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Base URL for OTLP/HTTP protobuf (the exporter appends <c>/v1/traces</c> etc.).</summary>
    public Uri HttpEndpoint { get; private set; } = null!;

    /// <summary>Base URL for OTLP/gRPC (HTTP/2 with prior knowledge, no TLS).</summary>
    public Uri GrpcEndpoint { get; private set; } = null!;

    /// <summary>Spans received so far, in arrival order.</summary>
    public IReadOnlyList<OtlpSpan> Spans
    {
        get
        {
            lock (_gate)
            {
                return _spans.ToArray();
            }
        }
    }

    /// <summary>Metrics received so far, one entry per metric per export, in arrival order.</summary>
    public IReadOnlyList<OtlpMetric> Metrics
    {
        get
        {
            lock (_gate)
            {
                return _metrics.ToArray();
            }
        }
    }

    /// <summary>Every export call answered so far.</summary>
    public IReadOnlyList<OtlpExportRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToArray();
            }
        }
    }

    /// <summary>Starts a receiver on <paramref name="address"/> (default 127.0.0.1), two ephemeral ports.</summary>
    public static async Task<OtlpReceiver> StartAsync(IPAddress? address = null)
    {
        address ??= IPAddress.Loopback;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();

        // The receiver is an ASP.NET Core app in the same process as the SDKs under test, which listen
        // to the "Microsoft.AspNetCore" ActivitySource by name. Giving this host's request pipeline a
        // source nobody listens to keeps every export call from producing a span that is exported again
        // (a feedback loop) and keeps the receiver out of the traces tests inspect.
        builder.Services.AddSingleton(new ActivitySource(SilentActivitySourceName));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            kestrel.Listen(address, 0, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.Listen(address, 0, listen => listen.Protocols = HttpProtocols.Http2);
        });

        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);

        // Kestrel reports bound addresses in listen order: HTTP/1.1 first, then HTTP/2.
        var bound = app.Urls.Select(u => new Uri(u)).ToArray();
        receiver.HttpEndpoint = new UriBuilder(Uri.UriSchemeHttp, FormatHost(address), bound[0].Port).Uri;
        receiver.GrpcEndpoint = new UriBuilder(Uri.UriSchemeHttp, FormatHost(address), bound[1].Port).Uri;
        return receiver;
    }

    /// <summary>Waits until a span matching <paramref name="predicate"/> has arrived and returns it.</summary>
    public async Task<OtlpSpan> WaitForSpanAsync(Func<OtlpSpan, bool> predicate, TimeSpan? timeout = null)
    {
        var spans = await WaitForSpansAsync(all => all.Any(predicate), timeout).ConfigureAwait(false);
        return spans.First(predicate);
    }

    /// <summary>Waits until a span named <paramref name="name"/> has arrived (optionally in trace <paramref name="traceId"/>).</summary>
    public Task<OtlpSpan> WaitForSpanAsync(string name, string? traceId = null, TimeSpan? timeout = null) =>
        WaitForSpanAsync(s => s.Name == name && (traceId is null || s.TraceId == traceId), timeout);

    /// <summary>Waits until the spans received so far satisfy <paramref name="condition"/>; returns them.</summary>
    public Task<IReadOnlyList<OtlpSpan>> WaitForSpansAsync(Func<IReadOnlyList<OtlpSpan>, bool> condition, TimeSpan? timeout = null) =>
        WaitAsync(() => Spans, condition, "spans", timeout);

    /// <summary>
    /// Waits until a metric named <paramref name="name"/> arrives whose data points satisfy
    /// <paramref name="condition"/> (default: any) and returns that export of it.
    /// </summary>
    public async Task<OtlpMetric> WaitForMetricAsync(string name, Func<OtlpMetric, bool>? condition = null, TimeSpan? timeout = null)
    {
        bool Matches(OtlpMetric m) => m.Name == name && (condition is null || condition(m));
        var metrics = await WaitAsync(() => Metrics, all => all.Any(Matches), $"metric {name}", timeout).ConfigureAwait(false);
        return metrics.Last(Matches);
    }

    /// <summary>Forgets everything received.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _spans.Clear();
            _metrics.Clear();
            _requests.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(cts.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string FormatHost(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    private async Task<IReadOnlyList<T>> WaitAsync<T>(
        Func<IReadOnlyList<T>> snapshot, Func<IReadOnlyList<T>, bool> condition, string what, TimeSpan? timeout)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            var items = snapshot();
            if (condition(items))
            {
                return items;
            }

            var remaining = deadline - DateTimeOffset.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException(
                    $"OTLP receiver: condition on {what} not met within {timeout ?? DefaultTimeout}; received {items.Count} item(s): " +
                    string.Join("; ", items.TakeLast(30)));
            }

            try
            {
                await changed.WaitAsync(remaining).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Loop once more to re-check and report.
            }
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        var isGrpc = context.Request.Protocol == HttpProtocol.Http2 && path.EndsWith("/Export", StringComparison.Ordinal);
        var signal = path switch
        {
            "/v1/traces" or GrpcTracePath => "traces",
            "/v1/metrics" or GrpcMetricsPath => "metrics",
            "/v1/logs" or GrpcLogsPath => "logs",
            _ => null,
        };
        if (signal is null || !HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        var body = buffer.ToArray();
        var payload = isGrpc ? UnframeGrpc(body) : Decompress(body, context.Request.Headers.ContentEncoding.ToString());

        var count = 0;
        lock (_gate)
        {
            if (signal == "traces")
            {
                var spans = OtlpProtobufDecoder.DecodeTraces(payload);
                _spans.AddRange(spans);
                count = spans.Count;
            }
            else if (signal == "metrics")
            {
                var metrics = OtlpProtobufDecoder.DecodeMetrics(payload);
                _metrics.AddRange(metrics);
                count = metrics.Count;
            }

            _requests.Add(new OtlpExportRequest(
                signal, isGrpc ? "grpc" : "http/protobuf", path, context.Request.Protocol, context.Request.ContentType, count));
            var changed = _changed;
            _changed = NewSignal();
            changed.TrySetResult();
        }

        if (isGrpc)
        {
            // An empty Export*ServiceResponse in one uncompressed frame, then grpc-status in the trailers.
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(new byte[5], context.RequestAborted).ConfigureAwait(false);
            context.Response.AppendTrailer("grpc-status", "0");
            return;
        }

        context.Response.ContentType = "application/x-protobuf";
        context.Response.ContentLength = 0;
    }

    /// <summary>Concatenates the messages of gRPC length-prefixed frames (1 byte compressed flag, 4 bytes big-endian length).</summary>
    private static byte[] UnframeGrpc(byte[] body)
    {
        using var messages = new MemoryStream();
        var offset = 0;
        while (offset + 5 <= body.Length)
        {
            var compressed = body[offset] == 1;
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1, 4));
            var message = body.AsSpan(offset + 5, length).ToArray();
            messages.Write(compressed ? Decompress(message, "gzip") : message);
            offset += 5 + length;
        }

        // Several frames would be several requests; the exporter sends one per call, so the
        // concatenation (protobuf merges repeated fields) decodes as one request either way.
        return messages.ToArray();
    }

    private static byte[] Decompress(byte[] body, string? encoding)
    {
        if (!string.Equals(encoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            return body;
        }

        using var input = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
