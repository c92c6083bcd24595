namespace FederationEgress.Dns.Protocol;

/// <summary>A question (RFC 1035 4.1.2). <paramref name="Name"/> in presentation form without the trailing dot ("." for the root).</summary>
public readonly record struct DnsQuestion(string Name, DnsRecordType Type, ushort Class = DnsQuestion.ClassInternet)
{
    /// <summary>The IN class, the only one this client asks for.</summary>
    public const ushort ClassInternet = 1;

    /// <summary>Same name (ASCII case-insensitive, RFC 4343), type and class.</summary>
    public bool Matches(DnsQuestion other) =>
        Type == other.Type && Class == other.Class && DnsName.Equals(Name, other.Name);
}
