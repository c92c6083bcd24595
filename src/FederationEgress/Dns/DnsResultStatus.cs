namespace FederationEgress.Dns;

/// <summary>Outcome of a cached DNS lookup.</summary>
public enum DnsResultStatus
{
    /// <summary>Records were found (possibly served stale: see <see cref="DnsResult{T}.IsStale"/>).</summary>
    Success,

    /// <summary>The name exists but has no records of the type asked (NOERROR/NODATA).</summary>
    NoData,

    /// <summary>The name does not exist (NXDOMAIN).</summary>
    NameError,

    /// <summary>The server answered SERVFAIL/REFUSED or another error rcode, and nothing stale was cached.</summary>
    ServerFailure,

    /// <summary>No configured server answered in time, and nothing stale was cached.</summary>
    Timeout,
}
