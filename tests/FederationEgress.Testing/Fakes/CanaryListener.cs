using System.Net;
using System.Net.Sockets;

namespace FederationEgress.Testing.Fakes;

/// <summary>
/// A TCP listener on an address the proxy must never reach. It accepts and counts every connection
/// (and closes it at once), so a test can assert that not a single socket reached the address.
/// Connections still waiting in the kernel's backlog are counted too, so the count is complete as
/// soon as the proxy has answered: a connect that happened has at least reached the backlog.
/// </summary>
public sealed class CanaryListener : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private int _accepted;

    /// <summary>Listens on <paramref name="address"/>:<paramref name="port"/> (0: an ephemeral port).</summary>
    public CanaryListener(IPAddress address, int port = 0)
    {
        _listener = new TcpListener(address, port);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            _listener.Server.DualMode = false;
        }

        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _ = AcceptLoopAsync();
    }

    /// <summary>Where it listens.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The listening port.</summary>
    public int Port => EndPoint.Port;

    /// <summary>Connections that reached the listener (accepted or still pending in the backlog).</summary>
    public int ConnectionCount
    {
        get
        {
            var pending = false;
            try
            {
                pending = _listener.Pending();
            }
            catch (InvalidOperationException)
            {
            }

            return Volatile.Read(ref _accepted) + (pending ? 1 : 0);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _accepted);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
