namespace FederationEgress.Dns;

/// <summary>Transport a DNS exchange used.</summary>
public enum DnsTransport
{
    /// <summary>UDP datagrams (the first try).</summary>
    Udp,

    /// <summary>TCP with 2-byte length framing (after a truncated UDP answer).</summary>
    Tcp,
}
