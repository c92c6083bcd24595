using System.Net;
using System.Net.Sockets;
using FederationEgress.Dns;
using FederationEgress.Dns.Client;
using FederationEgress.Dns.Protocol;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Time;
using Microsoft.Extensions.Logging.Abstractions;

namespace FederationEgress.Tests.Dns.Client;

/// <summary>
/// The stub client against <see cref="ScriptedDnsServer"/>. Timeouts run on a
/// <see cref="ManualTimeProvider"/>: a test advances it only once the server has seen the query,
/// so nothing depends on how fast the machine is.
/// </summary>
public sealed class DnsStubClientTests : IAsyncLifetime
{
    private const int ResponseIgnoredEventId = 1002;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private readonly ManualTimeProvider _time = new();
    private readonly List<ScriptedDnsServer> _servers = [];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task QueryAsync_ARecord_AnsweredOverUdpWithEdns()
    {
        var server = Start().AddA("host.test", "127.0.0.7", ttl: 42);
        var client = Client([server]);

        var result = await client.QueryAsync("host.test", DnsRecordType.A, Token);

        Assert.Equal(DnsQueryStatus.Answered, result.Status);
        Assert.Equal(DnsResponseCode.NoError, result.ResponseCode);
        var record = Assert.IsType<DnsAddressRecord>(Assert.Single(result.Response!.Answers));
        Assert.Equal((IPAddress.Parse("127.0.0.7"), 42u), (record.Address, record.Ttl));
        Assert.Equal(DnsTransport.Udp, result.Transport);
        Assert.Equal(server.EndPoint, result.Server);
        var seen = Assert.Single(server.Queries);
        Assert.Equal(("host.test", DnsRecordType.A, DnsTransport.Udp, (ushort?)1232), (seen.Name, seen.Type, seen.Transport, seen.UdpPayloadSize));
    }

    [Fact]
    public async Task QueryAsync_ConfiguredPayloadSize_Advertised()
    {
        var server = Start().AddA("host.test", "127.0.0.7");
        var client = Client([server], payload: 4096);

        await client.QueryAsync("host.test", DnsRecordType.A, Token);

        Assert.Equal((ushort)4096, Assert.Single(server.Queries).UdpPayloadSize);
    }

    [Fact]
    public async Task QueryAsync_TruncatedOverUdp_RetriesOverTcp()
    {
        var server = Start().AddAaaa("host.test", "::1").SetBehavior("host.test", DnsBehavior.TruncateOverUdp);
        var client = Client([server]);

        var result = await client.QueryAsync("host.test", DnsRecordType.AAAA, Token);

        Assert.Equal(DnsTransport.Tcp, result.Transport);
        Assert.Equal(IPAddress.IPv6Loopback, Assert.IsType<DnsAddressRecord>(Assert.Single(result.Response!.Answers)).Address);
        Assert.Equal(1, server.QueryCount("host.test", DnsRecordType.AAAA, DnsTransport.Udp));
        Assert.Equal(1, server.QueryCount("host.test", DnsRecordType.AAAA, DnsTransport.Tcp));
    }

    [Fact]
    public async Task QueryAsync_AnswerLargerThanPayloadSize_FetchedWhole()
    {
        var server = Start();
        for (var i = 1; i <= 100; i++)
        {
            server.AddA("big.test", $"127.0.1.{i}");
        }

        var client = Client([server], payload: 512);

        var result = await client.QueryAsync("big.test", DnsRecordType.A, Token);

        Assert.Equal(100, result.Response!.Answers.Count);
        Assert.Equal(DnsTransport.Tcp, result.Transport);
        Assert.Equal(1, server.QueryCount("big.test", transport: DnsTransport.Udp));
    }

    [Fact]
    public async Task QueryAsync_FirstServerSilent_NextServerAnswersAfterTimeout()
    {
        var silent = Start().SetBehavior("host.test", DnsBehavior.Drop);
        var working = Start(IPAddress.Parse("127.0.0.2")).AddA("host.test", "127.0.0.9");
        var client = Client([silent, working]);

        var query = client.QueryAsync("host.test", DnsRecordType.A, Token);
        await silent.WaitForQueriesAsync("host.test", cancellationToken: Token);
        Assert.False(query.IsCompleted);
        _time.Advance(Timeout);
        var result = await query;

        Assert.Equal(working.EndPoint, result.Server);
        Assert.Equal(DnsResponseCode.NoError, result.ResponseCode);
    }

    [Fact]
    public async Task QueryAsync_AllServersSilent_TimeoutAfterEveryAttemptInOrder()
    {
        var first = Start().SetBehavior("host.test", DnsBehavior.Drop);
        var second = Start(IPAddress.Parse("127.0.0.2")).SetBehavior("host.test", DnsBehavior.Drop);
        var client = Client([first, second], attempts: 2);

        var query = client.QueryAsync("host.test", DnsRecordType.A, Token);
        foreach (var (server, count) in new[] { (first, 1), (second, 1), (first, 2), (second, 2) })
        {
            await server.WaitForQueriesAsync("host.test", count, cancellationToken: Token);
            _time.Advance(Timeout);
        }

        var result = await query;

        Assert.Equal(DnsQueryStatus.Timeout, result.Status);
        Assert.Null(result.Response);
        Assert.Equal(second.EndPoint, result.Server);
        Assert.Equal(2, first.QueryCount("host.test"));
        Assert.Equal(2, second.QueryCount("host.test"));
    }

    [Fact]
    public async Task QueryAsync_SpoofedRepliesBeforeAnswer_OnlyMatchingReplyAccepted()
    {
        var server = Start().AddA("host.test", "127.0.0.9").SetBehavior("host.test", DnsBehavior.SpoofedThenAnswer);
        var client = Client([server]);

        var result = await client.QueryAsync("host.test", DnsRecordType.A, Token);

        var address = Assert.IsType<DnsAddressRecord>(Assert.Single(result.Response!.Answers)).Address;
        Assert.Equal(IPAddress.Parse("127.0.0.9"), address);
    }

    [Theory]
    [InlineData(nameof(DnsBehavior.WrongId))]
    [InlineData(nameof(DnsBehavior.WrongQuestion))]
    public async Task QueryAsync_OnlySpoofedReply_IgnoredUntilTimeout(string behavior)
    {
        var server = Start().AddA("host.test", "127.0.0.9")
            .SetBehavior("host.test", behavior == nameof(DnsBehavior.WrongId) ? DnsBehavior.WrongId : DnsBehavior.WrongQuestion);
        var logger = new RecordingLogger();
        var client = Client([server], attempts: 1, logger: logger);

        var query = client.QueryAsync("host.test", DnsRecordType.A, Token);
        await logger.WaitForEventAsync(ResponseIgnoredEventId, Token);
        _time.Advance(Timeout);
        var result = await query;

        Assert.Equal(DnsQueryStatus.Timeout, result.Status);
        Assert.Null(result.Response);
    }

    [Fact]
    public async Task QueryAsync_ServerFailure_SameServerNotAskedAgain()
    {
        var server = Start().AddA("host.test", "127.0.0.9").SetBehavior("host.test", DnsBehavior.ServerFailure);
        var client = Client([server], attempts: 3);

        var result = await client.QueryAsync("host.test", DnsRecordType.A, Token);

        Assert.Equal(DnsQueryStatus.Answered, result.Status);
        Assert.Equal(DnsResponseCode.ServerFailure, result.ResponseCode);
        Assert.Contains("SERVFAIL", result.Error, StringComparison.Ordinal);
        Assert.Equal(1, server.QueryCount("host.test"));
    }

    [Theory]
    [InlineData(DnsResponseCode.ServerFailure)]
    [InlineData(DnsResponseCode.Refused)]
    [InlineData(DnsResponseCode.NotImplemented)]
    [InlineData(DnsResponseCode.FormatError)]
    public async Task QueryAsync_ErrorCodeFromFirstServer_NextServerAsked(DnsResponseCode code)
    {
        var failing = Start().SetBehavior("host.test", DnsBehavior.WithResponseCode(code));
        var working = Start(IPAddress.Parse("127.0.0.2")).AddA("host.test", "127.0.0.9");
        var client = Client([failing, working]);

        var result = await client.QueryAsync("host.test", DnsRecordType.A, Token);

        Assert.Equal(DnsResponseCode.NoError, result.ResponseCode);
        Assert.Equal(working.EndPoint, result.Server);
    }

    [Fact]
    public async Task QueryAsync_ServerFailureAndSilence_ReportsTheServerFailure()
    {
        var failing = Start().SetBehavior("host.test", DnsBehavior.ServerFailure);
        var silent = Start(IPAddress.Parse("127.0.0.2")).SetBehavior("host.test", DnsBehavior.Drop);
        var client = Client([failing, silent], attempts: 1);

        var query = client.QueryAsync("host.test", DnsRecordType.A, Token);
        await silent.WaitForQueriesAsync("host.test", cancellationToken: Token);
        _time.Advance(Timeout);
        var result = await query;

        Assert.Equal(DnsResponseCode.ServerFailure, result.ResponseCode);
        Assert.Equal(failing.EndPoint, result.Server);
    }

    [Fact]
    public async Task QueryAsync_NameError_FinalWithoutAskingOtherServers()
    {
        var first = Start().SetSoa("test", minimum: 60);
        var second = Start(IPAddress.Parse("127.0.0.2")).AddA("missing.test", "127.0.0.9");
        var client = Client([first, second]);

        var result = await client.QueryAsync("missing.test", DnsRecordType.A, Token);

        Assert.Equal(DnsResponseCode.NameError, result.ResponseCode);
        Assert.IsType<DnsSoaRecord>(Assert.Single(result.Response!.Authorities));
        Assert.Null(result.Error);
        Assert.Equal(0, second.QueryCount("missing.test"));
    }

    public static TheoryData<string> MalformedBehaviors => new(nameof(DnsBehavior.MalformedCut), nameof(DnsBehavior.MalformedCount), nameof(DnsBehavior.MalformedCompressionLoop));

    [Theory]
    [MemberData(nameof(MalformedBehaviors))]
    public async Task QueryAsync_OnlyMalformedReplies_ReportsMalformed(string behavior)
    {
        var server = Start().AddA("host.test", "127.0.0.9").SetBehavior("host.test", Malformed(behavior));
        var logger = new RecordingLogger();
        var client = Client([server], attempts: 1, logger: logger);

        var query = client.QueryAsync("host.test", DnsRecordType.A, Token);
        await logger.WaitForEventAsync(ResponseIgnoredEventId, Token);
        _time.Advance(Timeout);
        var result = await query;

        Assert.Equal(DnsQueryStatus.Malformed, result.Status);
        Assert.Contains("malformed", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(MalformedBehaviors))]
    public async Task QueryAsync_MalformedOverTcp_ReportsMalformedWithoutWaiting(string behavior)
    {
        // 60 records do not fit in 512 bytes: UDP answers truncated, TCP answers broken.
        var server = Start().SetBehavior("host.test", Malformed(behavior).OnlyOver(DnsTransport.Tcp));
        for (var i = 1; i <= 60; i++)
        {
            server.AddA("host.test", $"127.0.2.{i}");
        }

        var client = Client([server], attempts: 1, payload: 512);

        var result = await client.QueryAsync("host.test", DnsRecordType.A, Token);

        Assert.Equal(DnsQueryStatus.Malformed, result.Status);
        Assert.Equal(DnsTransport.Tcp, result.Transport);
    }

    [Fact]
    public async Task QueryAsync_ClosedPort_Unreachable()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var closed = (IPEndPoint)probe.LocalEndPoint!;
        probe.Close();
        var client = new DnsStubClient(new DnsClientSettings([closed], Timeout, 1, 1232, "test"), _time, NullLogger.Instance);
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(Token);
        guard.CancelAfter(TimeSpan.FromSeconds(30));

        var result = await client.QueryAsync("host.test", DnsRecordType.A, guard.Token);

        Assert.Equal(DnsQueryStatus.Unreachable, result.Status);
        Assert.Contains("ConnectionRefused", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_ReplyQuestionInOtherCase_Accepted()
    {
        var server = Start().SetBehavior("host.test", DnsBehavior.Raw(query =>
        {
            var message = DnsMessageReader.Read(query);
            return DnsMessageWriter.Write(message with
            {
                IsResponse = true,
                Questions = [new DnsQuestion("HOST.Test", DnsRecordType.A)],
                Answers = [new DnsAddressRecord("HOST.TEST", 60, IPAddress.Parse("127.0.0.3"))],
            });
        }));
        var client = Client([server]);

        var result = await client.QueryAsync("host.test", DnsRecordType.A, Token);

        Assert.Equal(DnsQueryStatus.Answered, result.Status);
        Assert.Single(result.Response!.Answers);
    }

    [Fact]
    public async Task QueryAsync_ManyQueries_UseRandomIds()
    {
        var server = Start().AddA("host.test", "127.0.0.9");
        var client = Client([server]);

        for (var i = 0; i < 40; i++)
        {
            await client.QueryAsync("host.test", DnsRecordType.A, Token);
        }

        var ids = server.Queries.Select(q => q.Id).ToList();
        Assert.True(ids.Distinct().Count() >= 35, string.Join(",", ids));
        Assert.False(ids.Zip(ids.Skip(1)).All(p => p.Second == (ushort)(p.First + 1)), "ids are sequential");
    }

    [Fact]
    public async Task QueryAsync_IPv6Server_Answered()
    {
        var server = Start(IPAddress.IPv6Loopback).AddSrv("_matrix-fed._tcp.host.test", "target.test.", 8448, priority: 5, weight: 7);
        var client = Client([server]);

        var result = await client.QueryAsync("_matrix-fed._tcp.host.test", DnsRecordType.SRV, Token);

        var srv = Assert.IsType<DnsServiceRecord>(Assert.Single(result.Response!.Answers));
        Assert.Equal(new SrvRecord(5, 7, 8448, "target.test"), srv.Srv);
        Assert.StartsWith("[::1]:", server.Server, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_CallerCancels_Throws()
    {
        var server = Start().SetBehavior("host.test", DnsBehavior.Drop);
        var client = Client([server]);
        using var cancel = new CancellationTokenSource();

        var query = client.QueryAsync("host.test", DnsRecordType.A, cancel.Token);
        await server.WaitForQueriesAsync("host.test", cancellationToken: Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => query);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData("ex\u00e4mple.org")]
    public async Task QueryAsync_InvalidName_ThrowsArgumentException(string name)
    {
        var client = Client([Start()]);

        await Assert.ThrowsAsync<ArgumentException>(() => client.QueryAsync(name, DnsRecordType.A, Token));
    }

    private static DnsBehavior Malformed(string name) => name switch
    {
        nameof(DnsBehavior.MalformedCut) => DnsBehavior.MalformedCut,
        nameof(DnsBehavior.MalformedCount) => DnsBehavior.MalformedCount,
        _ => DnsBehavior.MalformedCompressionLoop,
    };

    private ScriptedDnsServer Start(IPAddress? address = null)
    {
        var server = ScriptedDnsServer.Start(address);
        _servers.Add(server);
        return server;
    }

    private DnsStubClient Client(IEnumerable<ScriptedDnsServer> servers, int attempts = 2, ushort payload = 1232, Microsoft.Extensions.Logging.ILogger? logger = null) =>
        new(new DnsClientSettings(servers.Select(s => s.EndPoint).ToArray(), Timeout, attempts, payload, "test"), _time, logger ?? NullLogger.Instance);
}
