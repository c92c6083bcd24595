using System.Net;
using FederationEgress.Dns;
using FederationEgress.Dns.Protocol;

namespace FederationEgress.BenchTool.ColdPath;

/// <summary>
/// The synthetic zone <c>bench.test</c>, computed from names instead of stored, so tens of
/// thousands of servers cost nothing to set up and every answer is O(1):
/// <list type="bullet">
/// <item><c>wk-N</c>: A = the web IP; its well-known delegates to <c>t-wk-N.bench.test:8448</c> (step 3b).</item>
/// <item><c>srv-N</c>: A = the web IP (well-known 404); <c>_matrix-fed._tcp.srv-N</c> SRV → <c>t-srv-N:8448</c> (step 4).</item>
/// <item><c>fb-N</c>: A = the web IP (well-known 404); no SRV → port 8448 (step 5).</item>
/// <item><c>t-…</c>, <c>h-…</c>: A = the target IP (never dialled by the resolver benches).</item>
/// </list>
/// AAAA of existing names is NODATA, everything else NXDOMAIN, both with the zone's SOA.
/// </summary>
internal sealed class BenchZone(IPAddress webAddress, IPAddress targetAddress)
{
    public const string Suffix = ".bench.test";
    private const uint Ttl = 300;
    private const string SrvPrefix = "_matrix-fed._tcp.";
    private static readonly DnsRecord[] NoRecords = [];
    private static readonly DnsRecord[] Soa = [new DnsSoaRecord("bench.test", Ttl, "ns.bench.test", "hostmaster.bench.test", 1, 3600, 600, 86400, Ttl)];

    public IPAddress WebAddress { get; } = webAddress;

    /// <summary>The well-known answer for <paramref name="host"/>, or null for 404.</summary>
    public static string? WellKnownFor(string host) =>
        host.StartsWith("wk-", StringComparison.OrdinalIgnoreCase) ? $"{{\"m.server\":\"t-{host.ToLowerInvariant()}:8448\"}}" : null;

    public (DnsResponseCode Code, DnsRecord[] Answers, DnsRecord[] Authorities) Answer(string name, DnsRecordType type)
    {
        var lower = name.ToLowerInvariant().TrimEnd('.');
        if (!lower.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return (DnsResponseCode.NameError, NoRecords, Soa);
        }

        if (lower.StartsWith(SrvPrefix, StringComparison.Ordinal))
        {
            var owner = lower[SrvPrefix.Length..];
            if (owner.StartsWith("srv-", StringComparison.Ordinal))
            {
                return type == DnsRecordType.SRV
                    ? (DnsResponseCode.NoError, [new DnsServiceRecord(name, Ttl, new SrvRecord(10, 0, 8448, "t-" + owner))], NoRecords)
                    : (DnsResponseCode.NoError, NoRecords, Soa);
            }

            return (DnsResponseCode.NameError, NoRecords, Soa);
        }

        IPAddress? address = lower switch
        {
            _ when lower.StartsWith("wk-", StringComparison.Ordinal) || lower.StartsWith("srv-", StringComparison.Ordinal) || lower.StartsWith("fb-", StringComparison.Ordinal) => WebAddress,
            _ when lower.StartsWith("t-", StringComparison.Ordinal) || lower.StartsWith("h-", StringComparison.Ordinal) => targetAddress,
            _ => null,
        };

        if (address is null)
        {
            return (DnsResponseCode.NameError, NoRecords, Soa);
        }

        return type == DnsRecordType.A
            ? (DnsResponseCode.NoError, [new DnsAddressRecord(name, Ttl, address)], NoRecords)
            : (DnsResponseCode.NoError, NoRecords, Soa);
    }
}
