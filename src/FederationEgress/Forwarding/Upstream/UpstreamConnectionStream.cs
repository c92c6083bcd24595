using System.Net;
using System.Net.Sockets;
using FederationEgress.Errors;

namespace FederationEgress.Forwarding.Upstream;

/// <summary>
/// The TCP stream handed to SocketsHttpHandler for one upstream connection. It remembers which
/// endpoint it reaches (for the TLS policy) and enforces the TLS handshake timeout: unless the
/// certificate check disarms it in time, the socket is closed so the handshake fails fast and the
/// forwarder can fail over to the next endpoint.
/// </summary>
internal sealed class UpstreamConnectionStream : Stream
{
    private readonly NetworkStream _inner;
    private readonly ITimer _handshakeTimer;
    private readonly TimeSpan _handshakeTimeout;
    private int _handshakeState; // 0 = pending, 1 = validated, 2 = timed out

    public UpstreamConnectionStream(Socket socket, IPEndPoint remote, UpstreamAttempt? attempt, int endpointIndex, TimeSpan handshakeTimeout, TimeProvider timeProvider)
    {
        _inner = new NetworkStream(socket, ownsSocket: true);
        RemoteEndPoint = remote;
        Attempt = attempt;
        EndpointIndex = endpointIndex;
        _handshakeTimeout = handshakeTimeout;
        _handshakeTimer = timeProvider.CreateTimer(static s => ((UpstreamConnectionStream)s!).OnHandshakeTimeout(), this, handshakeTimeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The IP and port this connection reaches.</summary>
    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>The request state that opened the connection, when it came from the forwarder.</summary>
    public UpstreamAttempt? Attempt { get; }

    /// <summary>The endpoint's index in <see cref="Attempt"/>'s resolution (-1 without one).</summary>
    public int EndpointIndex { get; }

    /// <summary>Records a TLS failure of this connection on its request, so failover moves past the endpoint.</summary>
    public void ReportTlsFailure(EgressError error)
    {
        if (Attempt is { } attempt)
        {
            attempt.RecordFailure(error);
            attempt.MarkFailed(EndpointIndex);
        }
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Called once the certificate was checked: the handshake made it in time.</summary>
    public void MarkHandshakeProgress()
    {
        if (Interlocked.CompareExchange(ref _handshakeState, 1, 0) == 0)
        {
            _handshakeTimer.Dispose();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => _inner.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count)
    {
        RecordCarrier();
        _inner.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        RecordCarrier();
        _inner.Write(buffer);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        RecordCarrier();
        return _inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        RecordCarrier();
        return _inner.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _handshakeTimer.Dispose();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _handshakeTimer.Dispose();
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    // Bytes written in a forwarded request's flow are that request's: HTTP/1.1 writes a request on
    // the caller's flow. (HTTP/2 writes from the connection's own loop, outside any request's flow;
    // see Resolution.LastConnectedEndPoint for those.) Handshake writes happen before validation.
    private void RecordCarrier()
    {
        if (Volatile.Read(ref _handshakeState) == 1 && UpstreamAttempt.Current is { } attempt && !ReferenceEquals(attempt.ConnectedEndPoint, RemoteEndPoint))
        {
            attempt.ConnectedEndPoint = RemoteEndPoint;
        }
    }

    private void OnHandshakeTimeout()
    {
        if (Interlocked.CompareExchange(ref _handshakeState, 2, 0) != 0)
        {
            return;
        }

        ReportTlsFailure(new EgressError(
            EgressErrorKind.Timeout,
            "tls",
            $"TLS handshake with {RemoteEndPoint} did not complete within {_handshakeTimeout.TotalSeconds:0.###} s"));

        // Closing the socket fails the pending handshake read at once.
        _inner.Socket.Dispose();
    }
}
