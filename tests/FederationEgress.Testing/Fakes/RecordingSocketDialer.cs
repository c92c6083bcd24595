using System.Net;
using System.Net.Sockets;
using FederationEgress.Forwarding.Upstream;

namespace FederationEgress.Testing.Fakes;

/// <summary>
/// The upstream dialer for SSRF tests: records every endpoint the proxy decided to dial and really
/// dials only loopback. Any other address fails with "network unreachable" without a packet being
/// sent, so even a broken address policy under test cannot send traffic off the machine, and the
/// record proves whether a dial was attempted at all.
/// </summary>
public sealed class RecordingSocketDialer : IUpstreamSocketDialer
{
    private readonly List<IPEndPoint> _dials = [];

    /// <summary>Every endpoint the proxy tried to dial, in order.</summary>
    public IReadOnlyList<IPEndPoint> Dials
    {
        get
        {
            lock (_dials)
            {
                return [.. _dials];
            }
        }
    }

    /// <summary>True when a dial to <paramref name="address"/> (any port; IPv4-mapped forms included) was attempted.</summary>
    public bool Dialled(IPAddress address) => Dials.Any(d => Normalize(d.Address).Equals(Normalize(address)));

    /// <summary>Forgets the dials recorded so far.</summary>
    public void Clear()
    {
        lock (_dials)
        {
            _dials.Clear();
        }
    }

    async ValueTask<Socket> IUpstreamSocketDialer.ConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        lock (_dials)
        {
            _dials.Add(endpoint);
        }

        if (!IPAddress.IsLoopback(Normalize(endpoint.Address)))
        {
            throw new SocketException((int)SocketError.NetworkUnreachable);
        }

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

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
