using System.Collections.Concurrent;
using System.Net;
using FederationEgress.Dns;

namespace FederationEgress.Tests.FrontEnds.Connect;

/// <summary>Answers address lookups from a table; unknown names are NXDOMAIN. Records every query.</summary>
internal sealed class FakeDnsResolver : IDnsResolver
{
    private readonly ConcurrentDictionary<string, DnsResult<IPAddress>> _answers = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrentQueue<string> Queries { get; } = new();

    public void Set(string host, params IPAddress[] addresses) =>
        _answers[host] = new DnsResult<IPAddress>(DnsResultStatus.Success, addresses, DateTimeOffset.MaxValue);

    public void Fail(string host, DnsResultStatus status) =>
        _answers[host] = new DnsResult<IPAddress>(status, [], DateTimeOffset.MaxValue, Error: $"test {status}");

    public ValueTask<DnsResult<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken)
    {
        Queries.Enqueue(host);
        return ValueTask.FromResult(_answers.TryGetValue(host, out var answer)
            ? answer
            : new DnsResult<IPAddress>(DnsResultStatus.NameError, [], DateTimeOffset.MaxValue));
    }

    public ValueTask<DnsResult<SrvRecord>> ResolveSrvAsync(string service, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new DnsResult<SrvRecord>(DnsResultStatus.NameError, [], DateTimeOffset.MaxValue));
}
