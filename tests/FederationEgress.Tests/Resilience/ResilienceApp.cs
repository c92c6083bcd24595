using System.Text.Json;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.Tests.Resilience;

/// <summary>
/// The REAL app (Program.BuildApp: real DNS stub client, discovery, address policy, TLS policy)
/// on ephemeral loopback ports, with DNS pointed at a <see cref="ScriptedDnsServer"/>, the address
/// policy allowing only this area's loopback block (127.86.0.0/16) and the test CA trusted.
/// Optionally on a manual clock (<paramref name="time"/>) for every timeout the app owns.
/// </summary>
internal sealed class ResilienceApp : ProxyHost
{
    /// <summary>Every address the resilience tests dial lives here; no other test uses this block.</summary>
    public const string AllowedRange = "127.86.0.0/16";

    private ResilienceApp(WebApplication app)
        : base(app)
    {
    }

    public static async Task<ResilienceApp> StartAsync(ScriptedDnsServer dns, string caPemFile, TimeProvider? time = null, params string[] settings) =>
        new(await StartAppAsync(
            [$"Dns:Servers:0={dns.Server}", $"IpPolicy:AllowRanges:0={AllowedRange}", $"Tls:ExtraCaFiles:0={caPemFile}", .. settings],
            builder =>
            {
                if (time is not null)
                {
                    builder.Services.AddSingleton(time);
                }
            }));

    /// <summary>GET /{destination}{path} through the proxy, returning once response headers arrived.</summary>
    public Task<HttpResponseMessage> GetAsync(string destination, string path = "/_matrix/federation/v1/version", CancellationToken cancellationToken = default) =>
        Client.GetAsync($"/{destination}{path}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    /// <summary>Reads the proxy's JSON error: (errcode, error, reason).</summary>
    public static async Task<(string ErrCode, string Error, string Reason)> ReadErrorAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        return (root.GetProperty("errcode").GetString()!, root.GetProperty("error").GetString()!, root.GetProperty("reason").GetString()!);
    }
}
