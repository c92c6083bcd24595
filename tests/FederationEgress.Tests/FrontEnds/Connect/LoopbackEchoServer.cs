using System.Net;
using System.Net.Sockets;

namespace FederationEgress.Tests.FrontEnds.Connect;

/// <summary>
/// A TCP server on a loopback address that echoes every byte back; when the client half-closes,
/// it half-closes too. Counts accepted connections and bytes received.
/// </summary>
internal sealed class LoopbackEchoServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<Socket> _accepted = [];
    private readonly bool _echo;
    private int _connections;
    private long _received;

    private LoopbackEchoServer(TcpListener listener, bool echo)
    {
        _listener = listener;
        _echo = echo;
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    public int ConnectionCount => Volatile.Read(ref _connections);

    public long BytesReceived => Interlocked.Read(ref _received);

    /// <summary>Completes when a connection saw the client's FIN.</summary>
    public TaskCompletionSource ClientFinSeen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the first accepted socket.</summary>
    public TaskCompletionSource<Socket> FirstConnection { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts a server; with <paramref name="echo"/> false it only accepts, so a test can drive the socket itself.</summary>
    public static LoopbackEchoServer Start(IPAddress address, int port = 0, bool echo = true)
    {
        var listener = new TcpListener(address, port);
        listener.Start();
        return new LoopbackEchoServer(listener, echo);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        lock (_accepted)
        {
            foreach (var socket in _accepted)
            {
                socket.Dispose();
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                lock (_accepted)
                {
                    _accepted.Add(socket);
                }

                FirstConnection.TrySetResult(socket);
                if (_echo)
                {
                    _ = EchoAsync(socket);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task EchoAsync(Socket socket)
    {
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    ClientFinSeen.TrySetResult();
                    socket.Shutdown(SocketShutdown.Send);
                    return;
                }

                Interlocked.Add(ref _received, read);
                await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
