using System.Net;
using System.Net.NetworkInformation;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.Security.LoopProtection;

/// <summary>
/// Recognises the proxy's own listeners (forwarding, management, Synapse, CONNECT) as a dial
/// target. A server name, delegation or DNS answer pointing back at the proxy would otherwise make
/// it send requests to itself, each one spawning the next, until the concurrency limit trips; the
/// address policy alone does not stop this when <c>IpPolicy:AllowRanges</c> covers loopback or the
/// pod network. Checked on the address actually dialled, like the address policy.
/// </summary>
internal sealed class ListenerLoopGuard
{
    private readonly IServiceProvider _services;
    private IPEndPoint[]? _listeners;
    private HashSet<IPAddress>? _localAddresses;

    public ListenerLoopGuard(IServiceProvider services)
    {
        _services = services;
    }

    /// <summary>
    /// True when <paramref name="endpoint"/> is one of this process's listening endpoints: equal to
    /// a bound endpoint, or on the port of a wildcard listener (0.0.0.0, ::) and an address of
    /// this host. <paramref name="listener"/> names the listener (for the log, never for clients).
    /// </summary>
    public bool IsOwnListener(IPEndPoint endpoint, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPEndPoint? listener)
    {
        var address = endpoint.Address.IsIPv4MappedToIPv6 ? endpoint.Address.MapToIPv4() : endpoint.Address;
        foreach (var bound in Listeners())
        {
            if (bound.Port != endpoint.Port)
            {
                continue;
            }

            if (bound.Address.Equals(address)
                || ((bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any)) && IsLocal(address)))
            {
                listener = bound;
                SecurityMetrics.RecordDenial(SecurityMetrics.Loop);
                return true;
            }
        }

        listener = null;
        return false;
    }

    private IPEndPoint[] Listeners()
    {
        // Bound addresses are known once the server started; cache them only from then on.
        if (_listeners is { } known)
        {
            return known;
        }

        var addresses = _services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null || addresses.Count == 0)
        {
            return [];
        }

        var list = new List<IPEndPoint>();
        foreach (var text in addresses)
        {
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri)
                && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip)
                && uri.Port > 0)
            {
                list.Add(new IPEndPoint(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip, uri.Port));
            }
        }

        var result = list.ToArray();
        Volatile.Write(ref _listeners, result);
        return result;
    }

    private bool IsLocal(IPAddress address)
    {
        if (IPAddress.IsLoopback(address))
        {
            return true;
        }

        var local = _localAddresses;
        if (local is null)
        {
            local = [];
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    local.Add(unicast.Address);
                }
            }

            Volatile.Write(ref _localAddresses, local);
        }

        return local.Contains(address);
    }
}
