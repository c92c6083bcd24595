namespace FederationEgress.Dns;

/// <summary>How a query to the DNS servers ended.</summary>
public enum DnsQueryStatus
{
    /// <summary>A server sent a well-formed response matching the question (any response code).</summary>
    Answered,

    /// <summary>No server answered within the timeout, on any attempt.</summary>
    Timeout,

    /// <summary>The servers could not be reached (ICMP unreachable, connection refused, network down).</summary>
    Unreachable,

    /// <summary>The only replies were malformed, or a TCP reply did not match the question.</summary>
    Malformed,
}
