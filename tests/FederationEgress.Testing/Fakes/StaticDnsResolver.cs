using System.Collections.Concurrent;
using System.Net;
using FederationEgress.Dns;

namespace FederationEgress.Testing.Fakes;

/// <summary>An <see cref="IDnsResolver"/> answering AAAA/A from a table; unknown names are NXDOMAIN, SRV is always NODATA.</summary>
public sealed class StaticDnsResolver : IDnsResolver
{
    private readonly ConcurrentDictionary<string, IPAddress[]> _addresses = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _timeProvider;

    public StaticDnsResolver(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Sets the AAAA/A answer for <paramref name="host"/>.</summary>
    public StaticDnsResolver Map(string host, params IPAddress[] addresses)
    {
        _addresses[host] = addresses;
        return this;
    }

    public ValueTask<DnsResult<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken)
    {
        var expires = _timeProvider.GetUtcNow().AddMinutes(5);
        return ValueTask.FromResult(_addresses.TryGetValue(host, out var addresses)
            ? new DnsResult<IPAddress>(DnsResultStatus.Success, addresses, expires)
            : new DnsResult<IPAddress>(DnsResultStatus.NameError, [], expires));
    }

    public ValueTask<DnsResult<SrvRecord>> ResolveSrvAsync(string service, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new DnsResult<SrvRecord>(DnsResultStatus.NoData, [], _timeProvider.GetUtcNow().AddMinutes(5)));
}
