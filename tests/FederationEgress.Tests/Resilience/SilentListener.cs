using System.Net;
using System.Net.Sockets;

namespace FederationEgress.Tests.Resilience;

/// <summary>Accepts TCP connections on a given loopback address and port and never sends a byte.</summary>
internal sealed class SilentListener : IDisposable
{
    private readonly TcpListener _listener;
    private readonly List<Socket> _accepted = [];
    private int _count;

    public SilentListener(IPAddress address, int port)
    {
        _listener = new TcpListener(address, port);
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    /// <summary>Connections accepted so far.</summary>
    public int AcceptedCount => Volatile.Read(ref _count);

    public void Dispose()
    {
        _listener.Stop();
        lock (_accepted)
        {
            _accepted.ForEach(s => s.Dispose());
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_accepted)
            {
                _accepted.Add(socket);
            }

            Interlocked.Increment(ref _count);
        }
    }
}
