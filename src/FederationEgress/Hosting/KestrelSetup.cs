using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FederationEgress.Hosting;

/// <summary>Configures Kestrel's two listeners and request limits from the validated options.</summary>
internal sealed class KestrelSetup : IConfigureOptions<KestrelServerOptions>
{
    private readonly IOptions<EgressListenOptions> _listen;
    private readonly IOptions<ManagementOptions> _management;
    private readonly IOptions<LimitsOptions> _limits;
    private readonly EgressListeners _listeners;

    public KestrelSetup(IOptions<EgressListenOptions> listen, IOptions<ManagementOptions> management, IOptions<LimitsOptions> limits, EgressListeners listeners)
    {
        _listen = listen;
        _management = management;
        _limits = limits;
        _listeners = listeners;
    }

    public void Configure(KestrelServerOptions options)
    {
        var limits = _limits.Value;
        options.AddServerHeader = false;
        options.Limits.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalSize;
        options.Limits.MaxRequestBodySize = limits.MaxRequestBodySize;
        options.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(limits.RequestHeadersTimeoutSeconds);

        var listen = _listen.Value;
        options.Listen(IPAddress.Parse(listen.Address), listen.Port, l =>
        {
            // Plain-text HTTP/2 would need prior knowledge; homeservers speak HTTP/1.1 to the proxy.
            l.Protocols = HttpProtocols.Http1;
            _listeners.Register(l, ListenerRole.Forwarding);
        });

        var management = _management.Value;
        options.Listen(IPAddress.Parse(management.Address), management.Port, l =>
        {
            l.Protocols = HttpProtocols.Http1;
            _listeners.Register(l, ListenerRole.Management);
        });

        // Optional front ends; each opens nothing unless its section says Enabled.
        options.ListenEgressSynapse(l => _listeners.Register(l, ListenerRole.Synapse));
        options.ListenEgressConnect();
    }
}
