namespace FederationEgress.Dns.Protocol;

/// <summary>Display names for record types and response codes (telemetry tags, logs, errors).</summary>
public static class DnsNames
{
    /// <summary>"A", "AAAA", "SRV"... or "TYPE123" for types without a name (RFC 3597).</summary>
    public static string TypeName(DnsRecordType type) => type switch
    {
        DnsRecordType.A => "A",
        DnsRecordType.NS => "NS",
        DnsRecordType.CNAME => "CNAME",
        DnsRecordType.SOA => "SOA",
        DnsRecordType.PTR => "PTR",
        DnsRecordType.MX => "MX",
        DnsRecordType.TXT => "TXT",
        DnsRecordType.AAAA => "AAAA",
        DnsRecordType.SRV => "SRV",
        DnsRecordType.OPT => "OPT",
        DnsRecordType.ANY => "ANY",
        _ => "TYPE" + ((ushort)type).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Mnemonic of a response code as used by dig ("NOERROR", "NXDOMAIN", "SERVFAIL"...).</summary>
    public static string ResponseCodeName(DnsResponseCode code) => code switch
    {
        DnsResponseCode.NoError => "NOERROR",
        DnsResponseCode.FormatError => "FORMERR",
        DnsResponseCode.ServerFailure => "SERVFAIL",
        DnsResponseCode.NameError => "NXDOMAIN",
        DnsResponseCode.NotImplemented => "NOTIMP",
        DnsResponseCode.Refused => "REFUSED",
        DnsResponseCode.YxDomain => "YXDOMAIN",
        DnsResponseCode.YxRrSet => "YXRRSET",
        DnsResponseCode.NxRrSet => "NXRRSET",
        DnsResponseCode.NotAuth => "NOTAUTH",
        DnsResponseCode.NotZone => "NOTZONE",
        DnsResponseCode.BadVersion => "BADVERS",
        _ => "RCODE" + ((ushort)code).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
