using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace FederationEgress.FrontEnds.Synapse;

/// <summary>
/// Kestrel connection middleware for the Synapse listener. Kestrel answers 400 to absolute-form
/// targets whose scheme is not http(s) before any HTTP middleware runs, so this adapter sits
/// between the transport and Kestrel's HTTP/1.1 parser and feeds Kestrel the stream rewritten by
/// <see cref="SynapseRequestRewriter"/>. Responses are written straight to the transport.
/// </summary>
internal sealed partial class SynapseConnectionAdapter
{
    /// <summary>
    /// Request Kestrel receives in place of a rejected one; asterisk-form never comes out of the
    /// rewriter, so only the adapter can produce it. The middleware answers it with 400 and closes.
    /// </summary>
    internal static ReadOnlySpan<byte> RejectionMarker => "OPTIONS * HTTP/1.1\r\nHost: synapse.invalid\r\nContent-Length: 0\r\n\r\n"u8;

    // Backpressure between the rewriter and Kestrel: bounded so bodies stream instead of piling up.
    private const long PauseWriterThreshold = 64 * 1024;
    private const long ResumeWriterThreshold = 32 * 1024;

    private readonly ConnectionDelegate _next;
    private readonly ILogger _logger;

    public SynapseConnectionAdapter(ConnectionDelegate next, ILogger logger)
    {
        _next = next;
        _logger = logger;
    }

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        var state = new SynapseConnectionState();
        connection.Items[SynapseConnectionState.ItemKey] = state;

        var transport = connection.Transport;
        var pool = connection.Features.Get<IMemoryPoolFeature>()?.MemoryPool;
        var pipe = new Pipe(new PipeOptions(
            pool: pool,
            pauseWriterThreshold: PauseWriterThreshold,
            resumeWriterThreshold: ResumeWriterThreshold,
            useSynchronizationContext: false));

        connection.Transport = new RewrittenTransport(pipe.Reader, transport.Output);
        var pump = PumpAsync(connection.ConnectionId, transport.Input, pipe.Writer, state);
        try
        {
            await _next(connection);
        }
        finally
        {
            // Kestrel is done with the connection: stop feeding it and wait for the pump to end.
            await pipe.Reader.CompleteAsync();
            transport.Input.CancelPendingRead();
            await pump;
            await pipe.Writer.CompleteAsync();
            connection.Transport = transport;
        }
    }

    private async Task PumpAsync(string connectionId, PipeReader source, PipeWriter sink, SynapseConnectionState state)
    {
        var rewriter = new SynapseRequestRewriter();
        var completeSink = true;
        try
        {
            while (true)
            {
                var result = await source.ReadAsync();
                var buffer = result.Buffer;
                var ok = rewriter.Process(ref buffer, sink);
                source.AdvanceTo(buffer.Start, buffer.End);
                if (!ok)
                {
                    Log.StreamRejected(_logger, connectionId, rewriter.Error!, rewriter.RequestCount);
                    if (rewriter.ErrorAtMessageBoundary)
                    {
                        // In order after any pipelined requests already handed over; answered 400 + close.
                        state.Rejection = rewriter.Error;
                        sink.Write(RejectionMarker);
                    }
                    else
                    {
                        // Mid-body: bytes Kestrel's own chunked parser must reject, so it fails that
                        // request with 400 and closes.
                        sink.Write(rewriter.PoisonForKestrel);
                    }

                    // Kestrel treats the end of its input as the client vanishing and aborts, so the
                    // sink stays open until Kestrel has answered and closed the connection itself.
                    completeSink = false;
                    await sink.FlushAsync();
                    return;
                }

                var flush = await sink.FlushAsync();
                if (flush.IsCompleted || result.IsCanceled || result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException or InvalidOperationException)
        {
            // The client or Kestrel went away; completing the sink below ends the connection.
            Log.PumpEnded(_logger, connectionId, ex.Message);
        }
        finally
        {
            if (completeSink)
            {
                await sink.CompleteAsync();
            }
        }
    }

    private sealed class RewrittenTransport(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private static partial class Log
    {
        [LoggerMessage(6001, LogLevel.Information, "Synapse listener connection {ConnectionId}: request stream rejected after {RequestCount} request(s): {Reason}")]
        public static partial void StreamRejected(ILogger logger, string connectionId, string reason, long requestCount);

        [LoggerMessage(6002, LogLevel.Debug, "Synapse listener connection {ConnectionId}: request stream ended: {Reason}")]
        public static partial void PumpEnded(ILogger logger, string connectionId, string reason);
    }
}
