using System.Net;
using System.Net.Sockets;
using FederationEgress.Dns;

namespace FederationEgress.Hosting.Interim;

/// <summary>
/// Stand-in for the DNS area's cached resolver until it is merged: the operating system's resolver,
/// uncached, AAAA before A. It cannot look up SRV records and answers NoData for them.
/// </summary>
internal sealed class InterimSystemDnsResolver : IDnsResolver
{
    /// <summary>The OS resolver reports no TTL; answers are treated as valid for this long.</summary>
    private static readonly TimeSpan AssumedTtl = TimeSpan.FromSeconds(60);

    private readonly TimeProvider _timeProvider;

    public InterimSystemDnsResolver(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
    }

    public async ValueTask<DnsResult<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken)
    {
        var expires = _timeProvider.GetUtcNow() + AssumedTtl;
        try
        {
            var addresses = await System.Net.Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            var ordered = addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetworkV6 ? 0 : 1).ToArray();
            return ordered.Length == 0
                ? new DnsResult<IPAddress>(DnsResultStatus.NoData, [], expires)
                : new DnsResult<IPAddress>(DnsResultStatus.Success, ordered, expires);
        }
        catch (SocketException ex)
        {
            var status = ex.SocketErrorCode switch
            {
                SocketError.HostNotFound => DnsResultStatus.NameError,
                SocketError.NoData => DnsResultStatus.NoData,
                _ => DnsResultStatus.ServerFailure,
            };
            return new DnsResult<IPAddress>(status, [], expires, Error: ex.Message);
        }
    }

    public ValueTask<DnsResult<SrvRecord>> ResolveSrvAsync(string service, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new DnsResult<SrvRecord>(DnsResultStatus.NoData, [], _timeProvider.GetUtcNow() + AssumedTtl));
}
