using System.Net;
using System.Net.Sockets;

namespace FederationEgress.Forwarding.Upstream;

/// <summary>The production dialer: a plain TCP socket with Nagle off (requests are flushed whole).</summary>
internal sealed class UpstreamSocketDialer : IUpstreamSocketDialer
{
    public async ValueTask<Socket> ConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
