using System.Collections.Concurrent;
using System.Net;
using FederationEgress.Dns;

namespace FederationEgress.Testing.Fakes;

/// <summary>
/// An in-memory <see cref="IDnsResolver"/> answering from a script: addresses and SRV records per
/// name (with a TTL), or a status (NXDOMAIN, NODATA, SERVFAIL, timeout), optionally marked stale.
/// Names without a script answer NXDOMAIN. Every question is logged; an optional gate holds all
/// answers until released (for concurrency tests). Names are matched case-insensitively.
/// </summary>
public sealed class ScriptedDnsResolver : IDnsResolver
{
    /// <summary>Query type logged for <see cref="ResolveAddressesAsync"/>.</summary>
    public const string AddressType = "ADDR";

    /// <summary>Query type logged for <see cref="ResolveSrvAsync"/>.</summary>
    public const string SrvType = "SRV";

    private readonly ConcurrentDictionary<string, Answer<IPAddress>> _addresses = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Answer<SrvRecord>> _srv = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<DnsQuery> _queries = new();
    private readonly TimeProvider _time;
    private volatile TaskCompletionSource? _gate;

    public ScriptedDnsResolver(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
    }

    /// <summary>TTL given to scripted answers unless one is passed.</summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Every question asked, in order.</summary>
    public IReadOnlyList<DnsQuery> Queries => _queries.ToArray();

    /// <summary>How many times (type, name) was asked.</summary>
    public int Count(string type, string name) => _queries.Count(q => q.Type == type && string.Equals(q.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The SRV names asked, in order.</summary>
    public IReadOnlyList<string> SrvQueries => _queries.Where(q => q.Type == SrvType).Select(q => q.Name).ToArray();

    /// <summary>Scripts AAAA/A answers for <paramref name="host"/> (returned in the order given).</summary>
    public ScriptedDnsResolver AddAddresses(string host, params string[] addresses) => AddAddresses(host, null, addresses);

    /// <summary>Scripts AAAA/A answers with a TTL.</summary>
    public ScriptedDnsResolver AddAddresses(string host, TimeSpan? ttl, params string[] addresses)
    {
        _addresses[host] = new Answer<IPAddress>(DnsResultStatus.Success, addresses.Select(IPAddress.Parse).ToArray(), ttl, false, null);
        return this;
    }

    /// <summary>Scripts SRV records for <paramref name="service"/> (e.g. <c>_matrix-fed._tcp.example.org</c>).</summary>
    public ScriptedDnsResolver AddSrv(string service, params SrvRecord[] records) => AddSrv(service, null, records);

    /// <summary>Scripts SRV records with a TTL.</summary>
    public ScriptedDnsResolver AddSrv(string service, TimeSpan? ttl, params SrvRecord[] records)
    {
        _srv[service] = new Answer<SrvRecord>(DnsResultStatus.Success, records, ttl, false, null);
        return this;
    }

    /// <summary>Scripts a status (no records) for the addresses of <paramref name="host"/>.</summary>
    public ScriptedDnsResolver SetAddressStatus(string host, DnsResultStatus status, string? error = null)
    {
        _addresses[host] = new Answer<IPAddress>(status, [], null, false, error ?? status.ToString());
        return this;
    }

    /// <summary>Scripts a status (no records) for <paramref name="service"/>.</summary>
    public ScriptedDnsResolver SetSrvStatus(string service, DnsResultStatus status, string? error = null)
    {
        _srv[service] = new Answer<SrvRecord>(status, [], null, false, error ?? status.ToString());
        return this;
    }

    /// <summary>Marks the scripted SRV answer for <paramref name="service"/> as served stale (expired TTL, RFC 8767).</summary>
    public ScriptedDnsResolver MarkSrvStale(string service)
    {
        _srv[service] = _srv[service] with { Stale = true };
        return this;
    }

    /// <summary>Holds every answer until <see cref="Release"/> is called.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Releases held answers.</summary>
    public void Release() => Interlocked.Exchange(ref _gate, null)?.TrySetResult();

    /// <summary>Forgets the query log.</summary>
    public void ClearQueries() => _queries.Clear();

    public ValueTask<DnsResult<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken) =>
        AnswerAsync(AddressType, host, _addresses, cancellationToken);

    public ValueTask<DnsResult<SrvRecord>> ResolveSrvAsync(string service, CancellationToken cancellationToken) =>
        AnswerAsync(SrvType, service, _srv, cancellationToken);

    private ValueTask<DnsResult<T>> AnswerAsync<T>(string type, string name, ConcurrentDictionary<string, Answer<T>> script, CancellationToken cancellationToken)
    {
        _queries.Enqueue(new DnsQuery(type, name));
        var gate = _gate;
        if (gate is not null)
        {
            return WaitAsync(gate.Task, type, name, script, cancellationToken);
        }

        return new ValueTask<DnsResult<T>>(Build(name, script));
    }

    private async ValueTask<DnsResult<T>> WaitAsync<T>(Task gate, string type, string name, ConcurrentDictionary<string, Answer<T>> script, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Build(name, script);
    }

    private DnsResult<T> Build<T>(string name, ConcurrentDictionary<string, Answer<T>> script)
    {
        var now = _time.GetUtcNow();
        if (!script.TryGetValue(name, out var answer))
        {
            return new DnsResult<T>(DnsResultStatus.NameError, [], now + DefaultTtl, Error: "NXDOMAIN (not scripted)");
        }

        var ttl = answer.Ttl ?? DefaultTtl;
        return new DnsResult<T>(answer.Status, answer.Records, answer.Stale ? now - TimeSpan.FromSeconds(1) : now + ttl, answer.Stale, answer.Error);
    }

    private sealed record Answer<T>(DnsResultStatus Status, IReadOnlyList<T> Records, TimeSpan? Ttl, bool Stale, string? Error);
}
