using FederationEgress.Forwarding.Upstream;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.Testing.Hosting;

/// <summary>
/// The real FederationEgress app with its real DNS client, discovery, address policy (default deny
/// list) and TLS policy. DNS goes to a <see cref="ScriptedDnsServer"/> only; <c>IpPolicy:AllowRanges</c>
/// is exactly what the test passes; upstream sockets go through a <see cref="RecordingSocketDialer"/>
/// that records every dial and never leaves loopback.
/// </summary>
public sealed class RealStackProxy : ProxyHost
{
    private RealStackProxy(WebApplication app, RecordingSocketDialer dialer)
        : base(app)
    {
        Dialer = dialer;
    }

    /// <summary>Every upstream dial the proxy attempted.</summary>
    public RecordingSocketDialer Dialer { get; }

    /// <summary>
    /// Starts the proxy. <paramref name="allowRanges"/> become <c>IpPolicy:AllowRanges</c> (none: the
    /// default deny list applies to every loopback address); <paramref name="caPemFile"/> is trusted
    /// via <c>Tls:ExtraCaFiles</c>; <paramref name="settings"/> are extra "Key=Value" entries;
    /// <paramref name="configure"/> may add services (a TimeProvider, a logger provider).
    /// </summary>
    public static async Task<RealStackProxy> StartAsync(
        ScriptedDnsServer dns,
        string? caPemFile,
        IEnumerable<string> allowRanges,
        Action<WebApplicationBuilder>? configure = null,
        params string[] settings)
    {
        var dialer = new RecordingSocketDialer();
        var all = new List<string> { $"Dns:Servers:0={dns.Server}" };
        if (caPemFile is not null)
        {
            all.Add($"Tls:ExtraCaFiles:0={caPemFile}");
        }

        all.AddRange(allowRanges.Select((range, i) => $"IpPolicy:AllowRanges:{i}={range}"));
        all.AddRange(settings);
        var app = await StartAppAsync(all, builder =>
        {
            builder.Services.AddSingleton<IUpstreamSocketDialer>(dialer);
            configure?.Invoke(builder);
        });
        return new RealStackProxy(app, dialer);
    }
}
