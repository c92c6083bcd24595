using System.Net;
using System.Net.Sockets;

namespace FederationEgress.Testing.Fakes;

/// <summary>Loopback addresses and ports for tests that need distinct "hosts" or a refused connection.</summary>
public static class LoopbackEndpoints
{
    private static int _next;

    /// <summary>A loopback IPv4 address no other caller in this process got (127.77.x.y).</summary>
    public static IPAddress NextAddress()
    {
        var n = Interlocked.Increment(ref _next);
        return new IPAddress([127, 77, (byte)((n / 250) % 256), (byte)((n % 250) + 1)]);
    }

    /// <summary>An endpoint on <paramref name="address"/> with nothing listening (connections are refused).</summary>
    public static IPEndPoint Closed(IPAddress? address = null)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address ?? IPAddress.Loopback, 0));
        return (IPEndPoint)socket.LocalEndPoint!;
    }
}
