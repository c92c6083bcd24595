using System.Net;
using FederationEgress.Dns;
using FederationEgress.Dns.Caching;
using FederationEgress.Dns.Client;
using FederationEgress.Dns.Protocol;
using FederationEgress.Testing.Interop;
using FederationEgress.Testing.Time;
using Microsoft.Extensions.Logging.Abstractions;

namespace FederationEgress.Interop.Tests.Dns;

/// <summary>
/// The hand-written stub client and cached resolver against a real DNS server on the wire:
/// same tests for dnsmasq and unbound (see the derived classes).
/// </summary>
public abstract class RealDnsInteropTests(RealDnsServerFixture fixture)
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

    protected static CancellationToken Token => TestContext.Current.CancellationToken;

    protected RealDnsServer Server => fixture.Server;

    [Fact]
    public async Task StubClient_ARecord_AnsweredOverUdp()
    {
        var result = await Client().QueryAsync(InteropZone.Host, DnsRecordType.A, Token);

        Assert.Equal(DnsQueryStatus.Answered, result.Status);
        Assert.Equal(DnsResponseCode.NoError, result.ResponseCode);
        Assert.Equal(DnsTransport.Udp, result.Transport);
        var record = Assert.IsType<DnsAddressRecord>(Assert.Single(result.Response!.Answers));
        Assert.Equal(IPAddress.Parse("127.0.0.5"), record.Address);
        Assert.Equal(300u, record.Ttl);
    }

    [Fact]
    public async Task StubClient_AaaaRecord_Answered()
    {
        var result = await Client().QueryAsync(InteropZone.Host, DnsRecordType.AAAA, Token);

        var record = Assert.IsType<DnsAddressRecord>(Assert.Single(result.Response!.Answers));
        Assert.Equal(IPAddress.Parse("::5"), record.Address);
    }

    [Fact]
    public async Task StubClient_SrvRecords_Answered()
    {
        var result = await Client().QueryAsync(InteropZone.Service, DnsRecordType.SRV, Token);

        var records = result.Response!.Answers.OfType<DnsServiceRecord>().Select(r => r.Srv).OrderBy(s => s.Priority).ToList();
        Assert.Equal([new SrvRecord(10, 5, 8448, InteropZone.Host), new SrvRecord(20, 0, 443, "backup.interop.test")], records);
    }

    [Fact]
    public async Task StubClient_AnswerTooLargeForUdp_TruncatedThenFetchedOverTcp()
    {
        var result = await Client().QueryAsync(InteropZone.Big, DnsRecordType.A, Token);

        Assert.Equal(DnsTransport.Tcp, result.Transport);
        Assert.Equal(InteropZone.BigCount, result.Response!.Answers.OfType<DnsAddressRecord>().Select(a => a.Address).Distinct().Count());
    }

    [Fact]
    public async Task StubClient_UnknownName_NameError()
    {
        var result = await Client().QueryAsync(InteropZone.Missing, DnsRecordType.A, Token);

        Assert.Equal(DnsResponseCode.NameError, result.ResponseCode);
    }

    [Fact]
    public async Task Resolver_Addresses_InterleavedAndCached()
    {
        var (resolver, time) = Resolver();
        using var _ = resolver;

        var result = await resolver.ResolveAddressesAsync(InteropZone.Host, Token);
        var again = resolver.ResolveAddressesAsync(InteropZone.Host, Token);

        Assert.Equal(DnsResultStatus.Success, result.Status);
        Assert.Equal([IPAddress.Parse("::5"), IPAddress.Parse("127.0.0.5")], result.Records);
        Assert.Equal(time.GetUtcNow().AddSeconds(300), result.ExpiresAt);
        Assert.True(again.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Resolver_Cname_FollowedToTargetAddresses()
    {
        var (resolver, _) = Resolver();
        using var __ = resolver;

        var result = await resolver.ResolveAddressesAsync(InteropZone.Alias, Token);

        Assert.Equal(DnsResultStatus.Success, result.Status);
        Assert.Equal([IPAddress.Parse("::5"), IPAddress.Parse("127.0.0.5")], result.Records);
    }

    [Fact]
    public async Task Resolver_LargeAnswer_AllAddresses()
    {
        var (resolver, _) = Resolver();
        using var __ = resolver;

        var result = await resolver.ResolveAddressesAsync(InteropZone.Big, Token);

        Assert.Equal(InteropZone.BigCount, result.Records.Count);
    }

    [Fact]
    public async Task Resolver_Srv_TargetsWithoutTrailingDot()
    {
        var (resolver, _) = Resolver();
        using var __ = resolver;

        var result = await resolver.ResolveSrvAsync(InteropZone.Service, Token);

        Assert.Equal(DnsResultStatus.Success, result.Status);
        Assert.Contains(new SrvRecord(10, 5, 8448, InteropZone.Host), result.Records);
    }

    [Fact]
    public async Task Resolver_MissingSrv_NoRecords()
    {
        var (resolver, _) = Resolver();
        using var __ = resolver;

        var result = await resolver.ResolveSrvAsync("_matrix._tcp.missing.interop.test", Token);

        Assert.True(result.IsNoRecords, result.Status.ToString());
    }

    private protected DnsStubClient Client() =>
        new(new DnsClientSettings([Server.EndPoint], QueryTimeout, 2, 1232, "interop"), TimeProvider.System, NullLogger.Instance);

    private protected (CachingDnsResolver Resolver, ManualTimeProvider Time) Resolver()
    {
        var time = new ManualTimeProvider();
        return (new CachingDnsResolver(Client(), new DnsOptions(), time, NullLogger.Instance), time);
    }
}
