namespace FederationEgress.Dns.Protocol;

/// <summary>
/// A DNS message (RFC 1035 4.1). Read by <see cref="DnsMessageReader"/>, written by
/// <see cref="DnsMessageWriter"/>. The EDNS0 OPT pseudo-record is not a record here: it becomes
/// <see cref="UdpPayloadSize"/> and the high bits of <see cref="ResponseCode"/>.
/// </summary>
public sealed record DnsMessage
{
    /// <summary>Query id; a response must echo it.</summary>
    public ushort Id { get; init; }

    /// <summary>QR bit: a response rather than a query.</summary>
    public bool IsResponse { get; init; }

    /// <summary>OPCODE (0 = standard query).</summary>
    public byte Opcode { get; init; }

    /// <summary>AA bit.</summary>
    public bool IsAuthoritative { get; init; }

    /// <summary>TC bit: the answer did not fit; ask again over TCP.</summary>
    public bool IsTruncated { get; init; }

    /// <summary>RD bit.</summary>
    public bool RecursionDesired { get; init; }

    /// <summary>RA bit.</summary>
    public bool RecursionAvailable { get; init; }

    /// <summary>AD bit (RFC 4035).</summary>
    public bool AuthenticData { get; init; }

    /// <summary>CD bit (RFC 4035).</summary>
    public bool CheckingDisabled { get; init; }

    /// <summary>Response code, including the EDNS0 extended bits when an OPT record was present.</summary>
    public DnsResponseCode ResponseCode { get; init; }

    /// <summary>Question section.</summary>
    public IReadOnlyList<DnsQuestion> Questions { get; init; } = [];

    /// <summary>Answer section (known types only when read).</summary>
    public IReadOnlyList<DnsRecord> Answers { get; init; } = [];

    /// <summary>Authority section (known types only when read; SOA for negative answers).</summary>
    public IReadOnlyList<DnsRecord> Authorities { get; init; } = [];

    /// <summary>Additional section without the OPT pseudo-record (known types only when read).</summary>
    public IReadOnlyList<DnsRecord> Additionals { get; init; } = [];

    /// <summary>EDNS0 UDP payload size from the OPT record; null when the message has none.</summary>
    public ushort? UdpPayloadSize { get; init; }

    /// <summary>EDNS version from the OPT record (0 when absent).</summary>
    public byte EdnsVersion { get; init; }
}
