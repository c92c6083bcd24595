using System.Collections.Frozen;
using Microsoft.Extensions.Primitives;

namespace FederationEgress.Forwarding;

/// <summary>Headers that never cross the proxy, in either direction.</summary>
internal static class HopByHopHeaders
{
    /// <summary>
    /// RFC 9110 §7.6.1 connection-specific fields, proxy credentials, and everything that would
    /// reveal the proxy's clients to the remote (forwarding chains, client IPs).
    /// </summary>
    public static readonly FrozenSet<string> Request = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Authentication-Info",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "HTTP2-Settings", "Alt-Used",
        "Forwarded", "Via", "X-Real-IP", "X-Client-IP", "Client-IP", "True-Client-IP", "CF-Connecting-IP", "X-Cluster-Client-IP", "X-Original-Forwarded-For");

    /// <summary>Connection-specific response fields (Kestrel frames the response itself).</summary>
    public static readonly FrozenSet<string> Response = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Authentication-Info",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade", "HTTP2-Settings");

    private const string ForwardedPrefix = "X-Forwarded-";

    /// <summary>True for request headers that must not be forwarded.</summary>
    public static bool IsRequestHopByHop(string name) =>
        Request.Contains(name) || name.StartsWith(ForwardedPrefix, StringComparison.OrdinalIgnoreCase) || name.StartsWith(':');

    /// <summary>True when <paramref name="name"/> is listed in a Connection header (those are hop-by-hop too).</summary>
    public static bool IsListedIn(StringValues connection, string name)
    {
        foreach (var value in connection)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var range in value.AsSpan().Split(','))
            {
                if (value.AsSpan(range).Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
