using System.Net;
using FederationEgress.Caching;
using Microsoft.Extensions.Options;

namespace FederationEgress.Forwarding.Upstream;

/// <summary>
/// The endpoint of each destination's latest upstream connection, kept as long as a pooled
/// connection may live. SocketsHttpHandler pools connections per destination and does not say which
/// one carried a request; HTTP/1.1 requests are attributed exactly (see
/// <see cref="UpstreamConnectionStream"/>), and for HTTP/2, which multiplexes one connection per
/// destination, this names it in the access log.
/// </summary>
internal sealed class RecentConnections
{
    /// <summary>Destinations remembered at most (the resolution cache's default size).</summary>
    public const int Capacity = 100_000;

    private readonly BoundedExpiringCache<string, Entry> _latest;
    private readonly TimeProvider _time;
    private readonly long _lifetimeTicks;

    public RecentConnections(IOptions<ForwardingOptions> options, TimeProvider time)
    {
        _time = time;
        _lifetimeTicks = (long)(options.Value.PooledConnectionLifetimeSeconds * time.TimestampFrequency);
        _latest = new BoundedExpiringCache<string, Entry>(Capacity, static e => e.ExpiresTimestamp, time.GetTimestamp, StringComparer.Ordinal);
    }

    /// <summary>Records a new connection to <paramref name="endPoint"/> for <paramref name="serverName"/>.</summary>
    public void Record(string serverName, IPEndPoint endPoint) =>
        _latest.Set(serverName, new Entry(endPoint, _time.GetTimestamp() + _lifetimeTicks));

    /// <summary>The endpoint of the latest connection for <paramref name="serverName"/> that may still be pooled.</summary>
    public IPEndPoint? Latest(string serverName) =>
        _latest.TryGetValue(serverName, out var entry) && _time.GetTimestamp() < entry.ExpiresTimestamp ? entry.EndPoint : null;

    private sealed record Entry(IPEndPoint EndPoint, long ExpiresTimestamp);
}
