using System.Diagnostics;
using System.Net;
using FederationEgress.Caching;
using FederationEgress.Diagnostics;
using FederationEgress.Dns.Protocol;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Dns.Caching;

/// <summary>
/// <see cref="IDnsResolver"/> over an <see cref="IDnsClient"/>: a size-bounded cache of answers
/// per (name, type), positive ones kept for their TTL within [MinTtl, MaxTtl], negative ones for
/// the SOA minimum within [NegativeMinTtl, NegativeMaxTtl]; one network query per question at a
/// time (single-flight); CNAME chains followed; expired answers served for up to MaxStale when the
/// servers fail (RFC 8767). Fresh hits complete synchronously without allocating.
/// </summary>
internal sealed partial class CachingDnsResolver : IDnsResolver, IDisposable
{
    /// <summary>After a failed refresh, serve stale without asking again for this long (RFC 8767 section 4 suggests 30 s).</summary>
    internal static readonly TimeSpan FailureRecheckPeriod = TimeSpan.FromSeconds(30);

    // Names longer than this (in presentation form, escapes included) build their key on the heap.
    private const int MaxStackKeyLength = 512;
    private const string AddressesPrefix = "ADDR ";
    private const string APrefix = "A ";
    private const string AaaaPrefix = "AAAA ";
    private const string SrvPrefix = "SRV ";

    private static readonly Func<DnsRecord, IPAddress> SelectAddress = static r => ((DnsAddressRecord)r).Address;
    private static readonly Func<DnsRecord, SrvRecord> SelectSrv = static r => ((DnsServiceRecord)r).Srv;

    private readonly IDnsClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MemoryCache _cache;
    private readonly SingleFlight<QuestionKey, DnsResult<IPAddress>> _addressFlights = new();
    private readonly SingleFlight<QuestionKey, DnsResult<SrvRecord>> _srvFlights = new();
    private readonly TimeSpan _minTtl;
    private readonly TimeSpan _maxTtl;
    private readonly TimeSpan _negativeMinTtl;
    private readonly TimeSpan _negativeMaxTtl;
    private readonly TimeSpan _maxStale;
    private readonly int _maxCnameDepth;

    public CachingDnsResolver(IDnsClient client, DnsOptions options, TimeProvider time, ILogger logger)
    {
        _client = client;
        _time = time;
        _logger = logger;
        _minTtl = TimeSpan.FromSeconds(options.MinTtlSeconds);
        _maxTtl = TimeSpan.FromSeconds(options.MaxTtlSeconds);
        _negativeMinTtl = TimeSpan.FromSeconds(options.NegativeMinTtlSeconds);
        _negativeMaxTtl = TimeSpan.FromSeconds(options.NegativeMaxTtlSeconds);
        _maxStale = TimeSpan.FromSeconds(options.MaxStaleSeconds);
        _maxCnameDepth = options.MaxCnameDepth;

        // Expiry is ours (TimeProvider, serve-stale); the MemoryCache only bounds the entry count.
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.MaxEntries });

        // The metric holds the source weakly; this field keeps it alive as long as the resolver.
        _entryCount = () => _cache.Count;
        EgressMetrics.Default.RegisterDnsCache(_entryCount);
    }

    private readonly Func<long> _entryCount;

    /// <summary>Entries currently cached (diagnostics and tests).</summary>
    internal long EntryCount => _cache.Count;

    public ValueTask<DnsResult<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var now = _time.GetUtcNow();
        if (TryGetCached(AddressesPrefix, host, out var cached) && cached is DnsResult<IPAddress> combined && now < combined.ExpiresAt)
        {
            RecordLookup(host, DnsRecordType.AAAA, DnsTelemetry.Hit);
            RecordLookup(host, DnsRecordType.A, DnsTelemetry.Hit);
            return new ValueTask<DnsResult<IPAddress>>(combined);
        }

        return new ValueTask<DnsResult<IPAddress>>(ResolveAddressesSlowAsync(host, cancellationToken));
    }

    public ValueTask<DnsResult<SrvRecord>> ResolveSrvAsync(string service, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        return LookupAsync(service, DnsRecordType.SRV, SrvPrefix, _srvFlights, SelectSrv, cancellationToken);
    }

    public void Dispose() => _cache.Dispose();

    private async Task<DnsResult<IPAddress>> ResolveAddressesSlowAsync(string host, CancellationToken cancellationToken)
    {
        // Both families at once; each is its own cached, single-flight question.
        var v6Task = LookupAsync(host, DnsRecordType.AAAA, AaaaPrefix, _addressFlights, SelectAddress, cancellationToken).AsTask();
        var v4Task = LookupAsync(host, DnsRecordType.A, APrefix, _addressFlights, SelectAddress, cancellationToken).AsTask();
        await Task.WhenAll(v6Task, v4Task).ConfigureAwait(false);
        var v6 = await v6Task.ConfigureAwait(false);
        var v4 = await v4Task.ConfigureAwait(false);

        var result = Combine(v6, v4, _time.GetUtcNow());
        if (!v6.IsStale && !v4.IsStale && !v6.IsFailure && !v4.IsFailure && DnsName.IsValid(host, out _))
        {
            Store(AddressesPrefix + DnsName.Normalize(host), result);
        }

        return result;
    }

    /// <summary>IPv6 and IPv4 interleaved, IPv6 first, duplicates removed; success if either family has addresses.</summary>
    internal static DnsResult<IPAddress> Combine(DnsResult<IPAddress> v6, DnsResult<IPAddress> v4, DateTimeOffset now)
    {
        var expiresAt = v6.ExpiresAt < v4.ExpiresAt ? v6.ExpiresAt : v4.ExpiresAt;
        var isStale = v6.IsStale || v4.IsStale;
        if (v6.Records.Count > 0 || v4.Records.Count > 0)
        {
            var addresses = new List<IPAddress>(v6.Records.Count + v4.Records.Count);
            for (var i = 0; i < Math.Max(v6.Records.Count, v4.Records.Count); i++)
            {
                if (i < v6.Records.Count && !addresses.Contains(v6.Records[i]))
                {
                    addresses.Add(v6.Records[i]);
                }

                if (i < v4.Records.Count && !addresses.Contains(v4.Records[i]))
                {
                    addresses.Add(v4.Records[i]);
                }
            }

            // A failed family does not shorten the life of the other's answer.
            var successExpiry = v6.IsFailure ? v4.ExpiresAt : v4.IsFailure ? v6.ExpiresAt : expiresAt;
            return new DnsResult<IPAddress>(DnsResultStatus.Success, addresses.AsReadOnly(), successExpiry, isStale);
        }

        if (v6.IsFailure || v4.IsFailure)
        {
            var status = (!v6.IsFailure || v6.Status == DnsResultStatus.Timeout) && (!v4.IsFailure || v4.Status == DnsResultStatus.Timeout)
                ? DnsResultStatus.Timeout
                : DnsResultStatus.ServerFailure;
            var error = string.Join("; ", new[] { v6, v4 }.Where(r => r.IsFailure).Select(r => r.Error));
            return new DnsResult<IPAddress>(status, [], now, isStale, error);
        }

        var noRecords = v6.Status == DnsResultStatus.NameError && v4.Status == DnsResultStatus.NameError
            ? DnsResultStatus.NameError
            : DnsResultStatus.NoData;
        return new DnsResult<IPAddress>(noRecords, [], expiresAt, isStale, v6.Error ?? v4.Error);
    }

    private ValueTask<DnsResult<T>> LookupAsync<T>(
        string name,
        DnsRecordType type,
        string prefix,
        SingleFlight<QuestionKey, DnsResult<T>> flights,
        Func<DnsRecord, T> select,
        CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (TryGetCached(prefix, name, out var cached) && cached is CachedAnswer<T> answer)
        {
            if (answer.IsFresh(now))
            {
                RecordLookup(name, type, DnsTelemetry.Hit);
                return new ValueTask<DnsResult<T>>(answer.Fresh);
            }

            if (answer.IsInRecheckWindow(now))
            {
                RecordLookup(name, type, DnsTelemetry.Stale);
                return new ValueTask<DnsResult<T>>(answer.Stale!);
            }
        }

        return new ValueTask<DnsResult<T>>(LookupSlowAsync(name, type, prefix, flights, select, cancellationToken));
    }

    private async Task<DnsResult<T>> LookupSlowAsync<T>(
        string name,
        DnsRecordType type,
        string prefix,
        SingleFlight<QuestionKey, DnsResult<T>> flights,
        Func<DnsRecord, T> select,
        CancellationToken cancellationToken)
    {
        if (!DnsName.IsValid(name, out var invalid))
        {
            // No such name can exist in the DNS: answer "no such record" without asking anyone.
            return new DnsResult<T>(DnsResultStatus.NameError, [], _time.GetUtcNow(), Error: $"not a valid DNS name: {invalid}");
        }

        var key = new QuestionKey(DnsName.Normalize(name), type);
        var result = await flights.RunAsync(
            key,
            (Resolver: this, Prefix: prefix, Select: select),
            static (k, state) => state.Resolver.FetchAsync(k, state.Prefix, state.Select),
            cancellationToken).ConfigureAwait(false);
        RecordLookup(name, type, result.IsStale ? DnsTelemetry.Stale : DnsTelemetry.Miss);
        return result;
    }

    private async Task<DnsResult<T>> FetchAsync<T>(QuestionKey key, string prefix, Func<DnsRecord, T> select)
    {
        var cacheKey = prefix + key.Name;

        // Another flight may have finished between the caller's cache check and this one starting.
        if (_cache.TryGetValue(cacheKey, out var existing) && existing is CachedAnswer<T> current && current.IsFresh(_time.GetUtcNow()))
        {
            return current.Fresh;
        }

        var fetched = await QueryFollowingCnamesAsync(key, select).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        if (fetched.Status is DnsResultStatus.Success or DnsResultStatus.NoData or DnsResultStatus.NameError)
        {
            var ttl = fetched.Status == DnsResultStatus.Success
                ? Clamp(fetched.Ttl, _minTtl, _maxTtl)
                : Clamp(fetched.Ttl, _negativeMinTtl, _negativeMaxTtl);
            var expiresAt = now + ttl;
            var fresh = new DnsResult<T>(fetched.Status, fetched.Records, expiresAt, Error: fetched.Error);
            Store(cacheKey, new CachedAnswer<T>(fresh, expiresAt + _maxStale));
            return fresh;
        }

        if (_cache.TryGetValue(cacheKey, out existing) && existing is CachedAnswer<T> expired && expired.CanServeStale(now) && _maxStale > TimeSpan.Zero)
        {
            var recheckAfter = now + FailureRecheckPeriod;
            if (recheckAfter > expired.StaleUntil)
            {
                recheckAfter = expired.StaleUntil;
            }

            var stale = expired.Fresh with { ExpiresAt = recheckAfter, IsStale = true, Error = fetched.Error };
            Store(cacheKey, expired with { Stale = stale, RecheckAfter = recheckAfter });
            Log.ServingStale(_logger, DnsNames.TypeName(key.Type), key.Name, now - expired.Fresh.ExpiresAt, fetched.Error);
            return stale;
        }

        return new DnsResult<T>(fetched.Status, [], now, Error: fetched.Error);
    }

    private async Task<Fetched<T>> QueryFollowingCnamesAsync<T>(QuestionKey key, Func<DnsRecord, T> select)
    {
        var current = key.Name;
        var visited = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { current };
        var ttl = uint.MaxValue;
        var depth = 0;
        while (true)
        {
            // The flight runs on behalf of every waiter: no caller's token; the client's timeouts bound it.
            var query = await _client.QueryAsync(current, key.Type, CancellationToken.None).ConfigureAwait(false);
            if (query.Status != DnsQueryStatus.Answered)
            {
                return Fetched<T>.Failure(query.Status == DnsQueryStatus.Timeout ? DnsResultStatus.Timeout : DnsResultStatus.ServerFailure, query.Error);
            }

            var response = query.Response!;
            if (response.ResponseCode is not (DnsResponseCode.NoError or DnsResponseCode.NameError))
            {
                return Fetched<T>.Failure(DnsResultStatus.ServerFailure, query.Error);
            }

            var followed = false;
            while (true)
            {
                var records = new List<T>();
                var recordsTtl = uint.MaxValue;
                foreach (var record in response.Answers)
                {
                    if (record.Type == key.Type && DnsName.Equals(record.Name, current))
                    {
                        records.Add(select(record));
                        recordsTtl = Math.Min(recordsTtl, record.Ttl);
                    }
                }

                if (records.Count > 0)
                {
                    return new Fetched<T>(DnsResultStatus.Success, records.AsReadOnly(), Math.Min(ttl, recordsTtl), null);
                }

                var cname = response.Answers.OfType<DnsCnameRecord>().FirstOrDefault(c => DnsName.Equals(c.Name, current));
                if (cname is null)
                {
                    break;
                }

                if (++depth > _maxCnameDepth)
                {
                    Log.CnameChainRejected(_logger, key.Name, $"longer than {_maxCnameDepth}");
                    return Fetched<T>.Failure(DnsResultStatus.ServerFailure, $"CNAME chain from {key.Name} is longer than {_maxCnameDepth}");
                }

                if (!visited.Add(cname.Target))
                {
                    Log.CnameChainRejected(_logger, key.Name, $"loops back to {cname.Target}");
                    return Fetched<T>.Failure(DnsResultStatus.ServerFailure, $"CNAME loop: {key.Name} leads back to {cname.Target}");
                }

                ttl = Math.Min(ttl, cname.Ttl);
                current = cname.Target;
                followed = true;
            }

            // RFC 6604: after a CNAME, NXDOMAIN is about the last name of the chain.
            if (response.ResponseCode == DnsResponseCode.NoError && followed)
            {
                // The alias's target was not in this answer: ask for it.
                continue;
            }

            var soa = response.Authorities.OfType<DnsSoaRecord>().FirstOrDefault();
            var negativeTtl = soa is null ? 0u : Math.Min(ttl, soa.NegativeTtl);
            var status = response.ResponseCode == DnsResponseCode.NameError ? DnsResultStatus.NameError : DnsResultStatus.NoData;
            var what = status == DnsResultStatus.NameError ? "NXDOMAIN" : "no records";
            return new Fetched<T>(status, [], negativeTtl, $"{DnsNames.TypeName(key.Type)} {current}: {what} from {query.Server}");
        }
    }

    private static TimeSpan Clamp(uint ttlSeconds, TimeSpan min, TimeSpan max)
    {
        var ttl = TimeSpan.FromSeconds(ttlSeconds);
        return ttl < min ? min : ttl > max ? max : ttl;
    }

    private bool TryGetCached(string prefix, string name, out object? value)
    {
        if (prefix.Length + name.Length <= MaxStackKeyLength)
        {
            Span<char> key = stackalloc char[MaxStackKeyLength];
            prefix.AsSpan().CopyTo(key);
            if (DnsName.TryNormalize(name, key[prefix.Length..], out var written))
            {
                return _cache.TryGetValue(key[..(prefix.Length + written)], out value);
            }
        }

        return _cache.TryGetValue(prefix + DnsName.Normalize(name), out value);
    }

    private void Store(string key, object value)
    {
        // Size 1 per entry: SizeLimit is then the entry count (Dns:MaxEntries). When the cache is
        // full the entry is dropped and a compaction evicts the least recently used ones.
        using var entry = _cache.CreateEntry(key);
        entry.Size = 1;
        entry.Value = value;
    }

    private static void RecordLookup(string name, DnsRecordType type, string outcome)
    {
        EgressMetrics.Default.DnsCacheLookup(DnsTelemetry.TypeName(type), outcome);
        if (Activity.Current is { IsAllDataRequested: true } activity)
        {
            activity.AddEvent(new ActivityEvent(DnsTelemetry.CacheEventName, tags: new ActivityTagsCollection
            {
                [DnsTelemetry.QuestionNameTag] = name,
                [DnsTelemetry.QuestionTypeTag] = DnsNames.TypeName(type),
                [DnsTelemetry.CacheTag] = outcome,
            }));
        }
    }

    private readonly record struct Fetched<T>(DnsResultStatus Status, IReadOnlyList<T> Records, uint Ttl, string? Error)
    {
        public static Fetched<T> Failure(DnsResultStatus status, string? error) => new(status, [], 0, error);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1020, EventName = "DnsServingStale", Level = LogLevel.Warning,
            Message = "Serving stale DNS {QuestionType} {QuestionName} (expired {ExpiredFor} ago): the servers failed ({Error})")]
        public static partial void ServingStale(ILogger logger, string questionType, string questionName, TimeSpan expiredFor, string? error);

        [LoggerMessage(EventId = 1021, EventName = "DnsCnameChainRejected", Level = LogLevel.Warning,
            Message = "CNAME chain from {QuestionName} rejected: {Reason}")]
        public static partial void CnameChainRejected(ILogger logger, string questionName, string reason);
    }
}
