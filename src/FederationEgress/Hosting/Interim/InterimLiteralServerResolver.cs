using FederationEgress.Discovery;
using FederationEgress.Dns;
using FederationEgress.Errors;
using FederationEgress.ServerNames;

namespace FederationEgress.Hosting.Interim;

/// <summary>
/// Stand-in for the discovery area's resolver until it is merged: spec steps 1 (IP literal) and 2
/// (hostname with explicit port, AAAA/A). Names without a port fail with a clear discovery error.
/// </summary>
internal sealed class InterimLiteralServerResolver : IServerResolver
{
    /// <summary>The spec's default federation port.</summary>
    private const int DefaultFederationPort = 8448;

    private readonly IDnsResolver _dns;

    public InterimLiteralServerResolver(IDnsResolver dns)
    {
        _dns = dns;
    }

    public async ValueTask<Resolution> ResolveAsync(ServerName serverName, CancellationToken cancellationToken)
    {
        if (serverName.Address is { } address)
        {
            var endpoint = new ResolvedEndpoint(new System.Net.IPEndPoint(address, serverName.Port ?? DefaultFederationPort), serverName.Host);
            return new Resolution(serverName, DiscoveryStep.IpLiteral, [endpoint], serverName.Value, tlsName: null);
        }

        if (serverName.Port is not { } port)
        {
            throw new EgressException(EgressErrorKind.NoAddresses, "discovery", $"{serverName} has no port; well-known and SRV discovery are not available in this build");
        }

        var result = await _dns.ResolveAddressesAsync(serverName.DnsHost, cancellationToken).ConfigureAwait(false);
        if (result.Status != DnsResultStatus.Success || result.Records.Count == 0)
        {
            throw result.IsFailure
                ? new EgressException(EgressErrorKind.DnsFailed, "dns", $"looking up AAAA/A of {serverName.DnsHost} failed: {result.Error ?? result.Status.ToString()}")
                : new EgressException(EgressErrorKind.NoAddresses, "dns", $"{serverName.DnsHost} has no AAAA/A records");
        }

        var endpoints = result.Records.Select(ip => new ResolvedEndpoint(new System.Net.IPEndPoint(ip, port), serverName.DnsHost)).ToArray();
        return new Resolution(serverName, DiscoveryStep.ExplicitPort, endpoints, serverName.Value, serverName.DnsHost);
    }
}
