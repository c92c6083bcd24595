namespace FederationEgress.Dns;

/// <summary>The answer to one cached lookup.</summary>
/// <typeparam name="T">Record payload: <see cref="System.Net.IPAddress"/> or <see cref="SrvRecord"/>.</typeparam>
/// <param name="Status">Success, no records, or a failure class.</param>
/// <param name="Records">The records (empty unless <see cref="DnsResultStatus.Success"/>).</param>
/// <param name="ExpiresAt">When the cached answer expires (TTL-derived, clamped).</param>
/// <param name="IsStale">True when served past its TTL because the DNS servers failed (RFC 8767).</param>
/// <param name="Error">For failures, what went wrong (rcode, timeout, which server).</param>
public sealed record DnsResult<T>(
    DnsResultStatus Status,
    IReadOnlyList<T> Records,
    DateTimeOffset ExpiresAt,
    bool IsStale = false,
    string? Error = null)
{
    /// <summary>True for NoData and NameError: "no such record", which may fall through to the next discovery step.</summary>
    public bool IsNoRecords => Status is DnsResultStatus.NoData or DnsResultStatus.NameError;

    /// <summary>True for ServerFailure and Timeout: the answer is unknown.</summary>
    public bool IsFailure => Status is DnsResultStatus.ServerFailure or DnsResultStatus.Timeout;
}
