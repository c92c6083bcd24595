namespace FederationEgress.Testing.Interop;

/// <summary>Which real DNS server a <see cref="RealDnsServer"/> runs.</summary>
public enum RealDnsServerKind
{
    /// <summary>dnsmasq: answers CNAMEs with the target's records; truncates large UDP answers partway.</summary>
    Dnsmasq,

    /// <summary>unbound with a static local zone: sends SOA with negative answers; CNAMEs come without target records.</summary>
    Unbound,
}
