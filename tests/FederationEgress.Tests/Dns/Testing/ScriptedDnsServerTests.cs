using System.Net;
using System.Net.Sockets;
using FederationEgress.Dns;
using FederationEgress.Dns.Client;
using FederationEgress.Dns.Protocol;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Time;
using Microsoft.Extensions.Logging.Abstractions;

namespace FederationEgress.Tests.Dns.Testing;

/// <summary>The test DNS server's documented behaviour, which other suites rely on.</summary>
public sealed class ScriptedDnsServerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Start_OtherLoopbackAddress_ListensThereOnUdpAndTcp()
    {
        await using var server = ScriptedDnsServer.Start(IPAddress.Parse("127.0.0.3"));
        server.AddA("x.test", "127.0.0.1").SetBehavior("x.test", DnsBehavior.TruncateOverUdp);

        var result = await Client(server).QueryAsync("x.test", DnsRecordType.A, Token);

        Assert.Equal(IPAddress.Parse("127.0.0.3"), server.EndPoint.Address);
        Assert.Equal(DnsTransport.Tcp, result.Transport);
        Assert.Equal([DnsTransport.Udp, DnsTransport.Tcp], server.Queries.Select(q => q.Transport));
    }

    [Fact]
    public async Task Resolve_NameWithOtherTypes_NoDataWithSoa_UnknownName_NameError()
    {
        await using var server = ScriptedDnsServer.Start();
        server.AddA("x.test", "127.0.0.1").SetSoa("test", minimum: 77);
        var client = Client(server);

        var noData = await client.QueryAsync("x.test", DnsRecordType.AAAA, Token);
        var nameError = await client.QueryAsync("y.test", DnsRecordType.A, Token);

        Assert.Equal(DnsResponseCode.NoError, noData.ResponseCode);
        Assert.Empty(noData.Response!.Answers);
        Assert.Equal(77u, Assert.IsType<DnsSoaRecord>(Assert.Single(noData.Response.Authorities)).Minimum);
        Assert.Equal(DnsResponseCode.NameError, nameError.ResponseCode);
    }

    [Fact]
    public async Task RemoveRecordsAndClearBehavior_TakeEffectImmediately()
    {
        await using var server = ScriptedDnsServer.Start();
        server.AddA("x.test", "127.0.0.1").SetBehavior("x.test", DnsBehavior.Refused);
        var client = Client(server);

        var refused = await client.QueryAsync("x.test", DnsRecordType.A, Token);
        server.ClearBehavior("x.test").RemoveRecords("x.test").AddA("x.test", "127.0.0.2");
        var changed = await client.QueryAsync("x.test", DnsRecordType.A, Token);

        Assert.Equal(DnsResponseCode.Refused, refused.ResponseCode);
        Assert.Equal(IPAddress.Parse("127.0.0.2"), Assert.IsType<DnsAddressRecord>(Assert.Single(changed.Response!.Answers)).Address);
    }

    [Fact]
    public async Task TypeSpecificBehavior_OtherTypesAnswerNormally()
    {
        await using var server = ScriptedDnsServer.Start();
        server.AddA("x.test", "127.0.0.1").AddAaaa("x.test", "::1").SetBehavior("x.test", DnsBehavior.ServerFailure, DnsRecordType.AAAA);
        var client = Client(server);

        Assert.Equal(DnsResponseCode.ServerFailure, (await client.QueryAsync("x.test", DnsRecordType.AAAA, Token)).ResponseCode);
        Assert.Equal(DnsResponseCode.NoError, (await client.QueryAsync("x.test", DnsRecordType.A, Token)).ResponseCode);
    }

    [Fact]
    public async Task UdpQueryWithoutEdns_LargeAnswerTruncatedAt512Bytes()
    {
        await using var server = ScriptedDnsServer.Start();
        for (var i = 1; i <= 40; i++)
        {
            server.AddA("big.test", $"127.0.5.{i}");
        }

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(server.EndPoint, Token);
        await socket.SendAsync(DnsMessageWriter.WriteQuery(9, "big.test", DnsRecordType.A, null), Token);
        var buffer = new byte[4096];
        var received = await socket.ReceiveAsync(buffer, Token);
        var reply = DnsMessageReader.Read(buffer.AsSpan(0, received));

        Assert.True(received <= 512);
        Assert.True(reply.IsTruncated);
        Assert.Empty(reply.Answers);
    }

    [Fact]
    public async Task WaitForQueriesAsync_AlreadyReceived_CompletesAtOnce()
    {
        await using var server = ScriptedDnsServer.Start();
        server.AddA("x.test", "127.0.0.1");
        await Client(server).QueryAsync("X.TEST", DnsRecordType.A, Token);

        var wait = server.WaitForQueriesAsync("x.test", 1, DnsRecordType.A, DnsTransport.Udp, Token);

        Assert.True(wait.IsCompletedSuccessfully);
        Assert.Equal("X.TEST", Assert.Single(server.Queries).Name);
        Assert.Equal(1, server.QueryCount("x.test"));
    }

    [Fact]
    public async Task RawBehavior_ReplyBuiltFromQuery()
    {
        await using var server = ScriptedDnsServer.Start();
        server.SetBehavior("raw.test", DnsBehavior.Raw(query =>
        {
            var message = DnsMessageReader.Read(query);
            return DnsMessageWriter.Write(message with
            {
                IsResponse = true,
                Answers = [new DnsRawRecord("raw.test", DnsRecordType.TXT, 5, new byte[] { 2, (byte)'h', (byte)'i' }), new DnsAddressRecord("raw.test", 5, IPAddress.Loopback)],
            });
        }));

        var result = await Client(server).QueryAsync("raw.test", DnsRecordType.A, Token);

        Assert.IsType<DnsAddressRecord>(Assert.Single(result.Response!.Answers));
    }

    private static DnsStubClient Client(ScriptedDnsServer server) =>
        new(new DnsClientSettings([server.EndPoint], TimeSpan.FromSeconds(2), 1, 1232, "test"), new ManualTimeProvider(), NullLogger.Instance);
}
