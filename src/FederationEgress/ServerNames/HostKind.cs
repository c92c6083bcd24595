namespace FederationEgress.ServerNames;

/// <summary>What the hostname part of a server name is, per the server-name grammar.</summary>
public enum HostKind
{
    /// <summary>A DNS name (<c>dns-name</c> in the grammar).</summary>
    DnsName,

    /// <summary>A dotted-quad IPv4 literal.</summary>
    IPv4,

    /// <summary>A bracketed IPv6 literal.</summary>
    IPv6,
}
