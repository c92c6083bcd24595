using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Connections.Features;
using KestrelListenOptions = Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions;

namespace FederationEgress.Hosting;

/// <summary>
/// The two Kestrel listeners. Each connection is tagged with its <see cref="ListenerRole"/> when it
/// is accepted, so the forwarding pipeline never serves management paths and vice versa, whatever
/// the ports are (port 0 included).
/// </summary>
public sealed class EgressListeners
{
    private static readonly object RoleKey = new();
    private static readonly object ForwardingRole = ListenerRole.Forwarding;
    private static readonly object ManagementRole = ListenerRole.Management;
    private static readonly object SynapseRole = ListenerRole.Synapse;

    private KestrelListenOptions? _forwarding;
    private KestrelListenOptions? _management;

    /// <summary>The bound forwarding endpoint (actual port once the server started).</summary>
    public IPEndPoint? ForwardingEndPoint => _forwarding?.IPEndPoint;

    /// <summary>The bound management endpoint (actual port once the server started).</summary>
    public IPEndPoint? ManagementEndPoint => _management?.IPEndPoint;

    /// <summary>The role of the listener <paramref name="context"/> arrived on, or null when unknown.</summary>
    public static ListenerRole? RoleOf(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(RoleKey, out var role) == true ? (ListenerRole?)role : null;

    internal void Register(KestrelListenOptions listen, ListenerRole role)
    {
        if (role == ListenerRole.Forwarding)
        {
            _forwarding = listen;
        }
        else if (role == ListenerRole.Management)
        {
            _management = listen;
        }

        var tag = role switch
        {
            ListenerRole.Forwarding => ForwardingRole,
            ListenerRole.Management => ManagementRole,
            _ => SynapseRole,
        };
        listen.Use(next => connection =>
        {
            connection.Items[RoleKey] = tag;
            return next(connection);
        });
    }
}
