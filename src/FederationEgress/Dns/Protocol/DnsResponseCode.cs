namespace FederationEgress.Dns.Protocol;

/// <summary>Response codes (RFC 1035 4.1.1; values above 15 need the EDNS0 extended RCODE bits).</summary>
public enum DnsResponseCode : ushort
{
    NoError = 0,
    FormatError = 1,
    ServerFailure = 2,
    NameError = 3,
    NotImplemented = 4,
    Refused = 5,
    YxDomain = 6,
    YxRrSet = 7,
    NxRrSet = 8,
    NotAuth = 9,
    NotZone = 10,
    BadVersion = 16,
}
