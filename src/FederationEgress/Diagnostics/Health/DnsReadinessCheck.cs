using System.Diagnostics.CodeAnalysis;
using FederationEgress.Dns;
using FederationEgress.Dns.Client;
using FederationEgress.Hosting;

namespace FederationEgress.Diagnostics.Health;

/// <summary>
/// Not ready while the DNS client has no real server: neither <c>Dns:Servers</c> nor resolv.conf
/// named one, so it could only guess 127.0.0.1:53 and every discovery would likely fail. A
/// replaced <see cref="IDnsClient"/> (tests, another library) is trusted.
/// </summary>
internal sealed class DnsReadinessCheck : IReadinessCheck
{
    private readonly IDnsClient _client;

    public DnsReadinessCheck(IDnsClient client) => _client = client;

    public bool IsReady([NotNullWhen(false)] out string? reason)
    {
        if (_client is DnsStubClient { Settings: var settings } && (settings.Servers.Count == 0 || settings.IsFallback))
        {
            reason = "dns: no DNS server configured (Dns:Servers is empty and resolv.conf names none)";
            return false;
        }

        reason = null;
        return true;
    }
}
