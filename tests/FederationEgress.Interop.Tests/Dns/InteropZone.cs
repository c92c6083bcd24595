using FederationEgress.Testing.Interop;

namespace FederationEgress.Interop.Tests.Dns;

/// <summary>The zone both real servers serve.</summary>
internal static class InteropZone
{
    public const string Domain = "interop.test";
    public const string Host = "host.interop.test";
    public const string Alias = "alias.interop.test";
    public const string Big = "big.interop.test";
    public const string Service = "_matrix-fed._tcp.interop.test";
    public const string Missing = "missing.interop.test";

    /// <summary>Enough A records (16 bytes each, compressed) to overflow a 1232-byte UDP answer.</summary>
    public const int BigCount = 120;

    public static RealDnsZone Create() => new RealDnsZone(Domain) { Ttl = 300, NegativeTtl = 120 }
        .AddAddress(Host, "127.0.0.5")
        .AddAddress(Host, "::5")
        .AddManyAddresses(Big, BigCount)
        .AddSrv(Service, Host, 8448, priority: 10, weight: 5)
        .AddSrv(Service, "backup.interop.test", 443, priority: 20, weight: 0)
        .AddAddress("backup.interop.test", "127.0.0.6")
        .AddCname(Alias, Host);
}
