using System.Globalization;
using System.Net;

namespace FederationEgress.Testing.Interop;

/// <summary>
/// Records for a <see cref="RealDnsServer"/>: one domain answered authoritatively (unknown names in it
/// are NXDOMAIN) with A, AAAA, SRV and CNAME records. Names are absolute, without trailing dot.
/// </summary>
public sealed class RealDnsZone(string domain)
{
    /// <summary>The domain, e.g. "interop.test".</summary>
    public string Domain { get; } = domain.TrimEnd('.');

    /// <summary>TTL of every record.</summary>
    public uint Ttl { get; init; } = 300;

    /// <summary>SOA minimum (negative-caching TTL) where the server sends an SOA (unbound).</summary>
    public uint NegativeTtl { get; init; } = 120;

    internal List<(string Name, IPAddress Address)> Addresses { get; } = [];

    internal List<(string Name, string Target, ushort Port, ushort Priority, ushort Weight)> Services { get; } = [];

    internal List<(string Alias, string Target)> Aliases { get; } = [];

    /// <summary>Adds an A or AAAA record (by the address family).</summary>
    public RealDnsZone AddAddress(string name, string address)
    {
        Addresses.Add((name, IPAddress.Parse(address)));
        return this;
    }

    /// <summary>Adds <paramref name="count"/> A records 127.x.y.z for <paramref name="name"/> (for answers too large for UDP).</summary>
    public RealDnsZone AddManyAddresses(string name, int count, byte secondOctet = 77)
    {
        for (var i = 0; i < count; i++)
        {
            AddAddress(name, string.Create(CultureInfo.InvariantCulture, $"127.{secondOctet}.{i / 250}.{(i % 250) + 1}"));
        }

        return this;
    }

    /// <summary>Adds an SRV record.</summary>
    public RealDnsZone AddSrv(string name, string target, ushort port, ushort priority = 10, ushort weight = 0)
    {
        Services.Add((name, target, port, priority, weight));
        return this;
    }

    /// <summary>Adds a CNAME: <paramref name="alias"/> points to <paramref name="target"/>.</summary>
    public RealDnsZone AddCname(string alias, string target)
    {
        Aliases.Add((alias, target));
        return this;
    }
}
