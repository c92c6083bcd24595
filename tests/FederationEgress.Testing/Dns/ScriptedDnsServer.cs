using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using FederationEgress.Dns;
using FederationEgress.Dns.Protocol;

namespace FederationEgress.Testing.Dns;

/// <summary>
/// An in-process authoritative DNS server for tests, listening on UDP and TCP on the same
/// ephemeral port of a loopback address. Everything is changeable while it runs.
/// <para>
/// Zone: add records with <see cref="AddA"/>, <see cref="AddAaaa"/>, <see cref="AddSrv"/>,
/// <see cref="AddCname"/>, <see cref="AddRecord"/> (any <see cref="DnsRecord"/>), remove them with
/// <see cref="RemoveRecords"/>, and give negative answers an SOA with <see cref="SetSoa"/>. A name
/// with no records at all is NXDOMAIN; a name with records of other types is NODATA. CNAMEs are
/// chased inside the zone (set <see cref="ChaseCnames"/> to false to answer with the CNAME only).
/// UDP answers larger than the query's EDNS0 size (512 without EDNS) come back truncated (TC).
/// </para>
/// <para>
/// Behaviours: <see cref="SetBehavior"/> scripts a name (or a name and type): SERVFAIL, NXDOMAIN,
/// REFUSED, drop, delay, wait for a gate, truncate over UDP, spoofed replies, malformed replies.
/// </para>
/// <para>
/// Log: every query received, in order, with its transport (<see cref="Queries"/>, <see cref="QueryCount"/>).
/// </para>
/// <example><code>
/// await using var dns = ScriptedDnsServer.Start();
/// dns.AddA("example.test", "127.0.0.5").SetSoa("test", minimum: 60);
/// dns.SetBehavior("broken.test", DnsBehavior.ServerFailure);
/// options.Servers = [dns.Server];
/// ...
/// Assert.Equal(1, dns.QueryCount("example.test", DnsRecordType.A));
/// </code></example>
/// </summary>
public sealed class ScriptedDnsServer : IAsyncDisposable
{
    /// <summary>TTL of records added without one.</summary>
    public const uint DefaultTtl = 300;

    private const int ClassicUdpSize = 512;
    private const int BindAttempts = 50;

    private readonly object _gate = new();
    private readonly List<DnsRecord> _records = [];
    private readonly Dictionary<string, DnsSoaRecord> _soas = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<(string Name, DnsRecordType? Type), DnsBehavior> _behaviors = [];
    private readonly List<DnsQueryLogEntry> _queries = [];
    private readonly List<(Func<DnsQueryLogEntry, bool> Match, int Count, TaskCompletionSource Done)> _waiters = [];
    private readonly Socket _udp;
    private readonly TcpListener _tcp;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;

    private ScriptedDnsServer(Socket udp, TcpListener tcp)
    {
        _udp = udp;
        _tcp = tcp;
        EndPoint = (IPEndPoint)udp.LocalEndPoint!;
        _udpLoop = Task.Run(UdpLoopAsync);
        _tcpLoop = Task.Run(TcpLoopAsync);
    }

    /// <summary>Where the server listens (UDP and TCP).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The server as a <c>Dns:Servers</c> entry ("127.0.0.1:12345" or "[::1]:12345").</summary>
    public string Server => EndPoint.ToString();

    /// <summary>Chase CNAMEs inside the zone (default). False: answer an alias with its CNAME only.</summary>
    public bool ChaseCnames { get; set; } = true;

    /// <summary>Every query received so far, in arrival order.</summary>
    public IReadOnlyList<DnsQueryLogEntry> Queries
    {
        get
        {
            lock (_gate)
            {
                return [.. _queries];
            }
        }
    }

    /// <summary>Starts a server on <paramref name="address"/> (default 127.0.0.1), UDP and TCP on one ephemeral port.</summary>
    public static ScriptedDnsServer Start(IPAddress? address = null)
    {
        address ??= IPAddress.Loopback;
        for (var attempt = 0; ; attempt++)
        {
            var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(new IPEndPoint(address, 0));
                var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
                var tcp = new TcpListener(address, port);
                tcp.Start();
                return new ScriptedDnsServer(udp, tcp);
            }
            catch (SocketException) when (attempt < BindAttempts)
            {
                // The TCP side of the ephemeral UDP port is taken: try another port.
                udp.Dispose();
            }
        }
    }

    /// <summary>Adds an A record.</summary>
    public ScriptedDnsServer AddA(string name, string address, uint ttl = DefaultTtl) =>
        AddAddress(name, IPAddress.Parse(address), ttl, AddressFamily.InterNetwork);

    /// <summary>Adds an AAAA record.</summary>
    public ScriptedDnsServer AddAaaa(string name, string address, uint ttl = DefaultTtl) =>
        AddAddress(name, IPAddress.Parse(address), ttl, AddressFamily.InterNetworkV6);

    /// <summary>Adds an SRV record (target "." for "service not available").</summary>
    public ScriptedDnsServer AddSrv(string name, string target, ushort port, ushort priority = 10, ushort weight = 0, uint ttl = DefaultTtl) =>
        AddRecord(new DnsServiceRecord(name, ttl, new SrvRecord(priority, weight, port, target)));

    /// <summary>Adds a CNAME: <paramref name="name"/> is an alias of <paramref name="target"/>.</summary>
    public ScriptedDnsServer AddCname(string name, string target, uint ttl = DefaultTtl) =>
        AddRecord(new DnsCnameRecord(name, ttl, target));

    /// <summary>Adds any record (A, AAAA, SRV, CNAME, SOA, or a <see cref="DnsRawRecord"/> of any type).</summary>
    public ScriptedDnsServer AddRecord(DnsRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            _records.Add(record);
        }

        return this;
    }

    /// <summary>Removes the records of <paramref name="name"/> (of one type, or all).</summary>
    public ScriptedDnsServer RemoveRecords(string name, DnsRecordType? type = null)
    {
        lock (_gate)
        {
            _records.RemoveAll(r => DnsName.Equals(r.Name, name) && (type is null || r.Type == type));
        }

        return this;
    }

    /// <summary>
    /// Sets the SOA of <paramref name="zone"/>, sent in the authority section of negative answers
    /// for names in it (longest zone wins). Negative TTL = min(<paramref name="ttl"/>, <paramref name="minimum"/>).
    /// </summary>
    public ScriptedDnsServer SetSoa(string zone, uint minimum, uint ttl = DefaultTtl)
    {
        lock (_gate)
        {
            _soas[Normalize(zone)] = new DnsSoaRecord(zone, ttl, "ns." + zone.TrimStart('.'), "hostmaster." + zone.TrimStart('.'), 1, 3600, 600, 86400, minimum);
        }

        return this;
    }

    /// <summary>Scripts queries for <paramref name="name"/> (all types, or only <paramref name="type"/>).</summary>
    public ScriptedDnsServer SetBehavior(string name, DnsBehavior behavior, DnsRecordType? type = null)
    {
        ArgumentNullException.ThrowIfNull(behavior);
        lock (_gate)
        {
            _behaviors[(Normalize(name), type)] = behavior;
        }

        return this;
    }

    /// <summary>Back to normal answers for <paramref name="name"/> (all types, or the one given).</summary>
    public ScriptedDnsServer ClearBehavior(string name, DnsRecordType? type = null)
    {
        lock (_gate)
        {
            _behaviors.Remove((Normalize(name), type));
        }

        return this;
    }

    /// <summary>Queries received for <paramref name="name"/>, optionally of one type and over one transport.</summary>
    public int QueryCount(string name, DnsRecordType? type = null, DnsTransport? transport = null)
    {
        lock (_gate)
        {
            return _queries.Count(q => DnsName.Equals(q.Name, name) && (type is null || q.Type == type) && (transport is null || q.Transport == transport));
        }
    }

    /// <summary>
    /// Completes once at least <paramref name="count"/> queries for <paramref name="name"/> (optionally
    /// of one type and transport) have been received, counting those already logged. Lets a test
    /// advance a fake clock exactly when the client is waiting for an answer. Gives up with a
    /// <see cref="TimeoutException"/> listing the queries seen after <see cref="WaitTimeout"/>, so a
    /// broken test fails instead of hanging.
    /// </summary>
    public Task WaitForQueriesAsync(string name, int count = 1, DnsRecordType? type = null, DnsTransport? transport = null, CancellationToken cancellationToken = default)
    {
        bool Match(DnsQueryLogEntry q) => DnsName.Equals(q.Name, name) && (type is null || q.Type == type) && (transport is null || q.Transport == transport);
        lock (_gate)
        {
            if (_queries.Count(Match) >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((Match, count, done));
            return WaitAsync(done.Task, $"{count} {type?.ToString() ?? "any-type"} {transport?.ToString() ?? "any-transport"} queries for {name}", cancellationToken);
        }
    }

    /// <summary>How long <see cref="WaitForQueriesAsync"/> waits before failing the test.</summary>
    public static TimeSpan WaitTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Forgets the queries received so far.</summary>
    public void ClearQueries()
    {
        lock (_gate)
        {
            _queries.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _udp.Dispose();
        _tcp.Stop();
        await Task.WhenAll(_udpLoop, _tcpLoop).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static string Normalize(string name) => DnsName.Normalize(name);

    private async Task WaitAsync(Task done, string what, CancellationToken cancellationToken)
    {
        try
        {
            await done.WaitAsync(WaitTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var seen = string.Join(", ", Queries.Select(q => $"{q.Name}/{q.Type}/{q.Transport}"));
            throw new TimeoutException($"{Server} did not receive {what} within {WaitTimeout.TotalSeconds} s; received: [{seen}]");
        }
    }

    private ScriptedDnsServer AddAddress(string name, IPAddress address, uint ttl, AddressFamily family)
    {
        if (address.AddressFamily != family)
        {
            throw new ArgumentException($"{address} is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address", nameof(address));
        }

        return AddRecord(new DnsAddressRecord(name, ttl, address));
    }

    private async Task UdpLoopAsync()
    {
        var buffer = new byte[ushort.MaxValue];
        while (!_stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(EndPoint.Address, 0), _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // ICMP errors from earlier replies to closed client ports surface here on some stacks.
                continue;
            }

            var query = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            var client = received.RemoteEndPoint;
            _ = Task.Run(() => HandleAsync(query, DnsTransport.Udp, reply => SendUdpAsync(reply, client)));
        }
    }

    private async Task SendUdpAsync(byte[] reply, EndPoint client)
    {
        try
        {
            await _udp.SendToAsync(reply, SocketFlags.None, client, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopping, or the client went away.
        }
    }

    private async Task TcpLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _tcp.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => ServeTcpAsync(connection));
        }
    }

    private async Task ServeTcpAsync(Socket connection)
    {
        using var _ = connection;
        var writeLock = new SemaphoreSlim(1, 1);
        try
        {
            var prefix = new byte[2];
            while (await ReadExactlyAsync(connection, prefix).ConfigureAwait(false))
            {
                var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                if (!await ReadExactlyAsync(connection, query).ConfigureAwait(false))
                {
                    return;
                }

                await HandleAsync(query, DnsTransport.Tcp, async reply =>
                {
                    var framed = new byte[reply.Length + 2];
                    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)reply.Length);
                    reply.CopyTo(framed, 2);
                    await writeLock.WaitAsync(_stopping.Token).ConfigureAwait(false);
                    try
                    {
                        await connection.SendAsync(framed, SocketFlags.None, _stopping.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        writeLock.Release();
                    }
                }).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopping, or the client closed the connection.
        }
    }

    private async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stopping.Token).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            filled += read;
        }

        return true;
    }

    private async Task HandleAsync(byte[] queryBytes, DnsTransport transport, Func<byte[], Task> send)
    {
        try
        {
            DnsMessage query;
            try
            {
                query = DnsMessageReader.Read(queryBytes);
            }
            catch (DnsFormatException)
            {
                return;
            }

            if (query.IsResponse || query.Questions.Count != 1)
            {
                return;
            }

            var question = query.Questions[0];
            DnsBehavior behavior;
            lock (_gate)
            {
                _queries.Add(new DnsQueryLogEntry(question.Name, question.Type, transport, query.Id, query.UdpPayloadSize));
                _waiters.RemoveAll(w =>
                {
                    var reached = _queries.Count(w.Match) >= w.Count;
                    if (reached)
                    {
                        w.Done.TrySetResult();
                    }

                    return reached;
                });
                var name = Normalize(question.Name);
                behavior = _behaviors.GetValueOrDefault((name, question.Type)) ?? _behaviors.GetValueOrDefault((name, null)) ?? DnsBehavior.Answer;
            }

            if (behavior.Transport is { } only && only != transport)
            {
                behavior = DnsBehavior.Answer;
            }

            if (behavior.Gate is { } gate)
            {
                await gate.WaitAsync(_stopping.Token).ConfigureAwait(false);
            }

            if (behavior.Delay > TimeSpan.Zero)
            {
                await Task.Delay(behavior.Delay, _stopping.Token).ConfigureAwait(false);
            }

            foreach (var reply in BuildReplies(query, question, behavior, transport))
            {
                await send(reply).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Stopping.
        }
    }

    private IEnumerable<byte[]> BuildReplies(DnsMessage query, DnsQuestion question, DnsBehavior behavior, DnsTransport transport)
    {
        switch (behavior.Kind)
        {
            case DnsBehaviorKind.Drop:
                yield break;
            case DnsBehaviorKind.Raw:
                if (behavior.Reply!(DnsMessageWriter.Write(query)) is { } raw)
                {
                    yield return raw;
                }

                yield break;
            case DnsBehaviorKind.ResponseCode:
                yield return Fit(Negative(query, question, behavior.Code), query, transport);
                yield break;
            case DnsBehaviorKind.TruncateOverUdp when transport == DnsTransport.Udp:
                yield return DnsMessageWriter.Write(TruncatedReply(query));
                yield break;
            case DnsBehaviorKind.WrongId:
                yield return Spoof(query, question, wrongId: true);
                yield break;
            case DnsBehaviorKind.WrongQuestion:
                yield return Spoof(query, question, wrongId: false);
                yield break;
            case DnsBehaviorKind.SpoofedThenAnswer:
                yield return Spoof(query, question, wrongId: true);
                yield return Spoof(query, question, wrongId: false);
                break;
            case DnsBehaviorKind.Malformed:
                yield return behavior.Transform!(Fit(Resolve(query, question), query, transport));
                yield break;
        }

        yield return Fit(Resolve(query, question), query, transport);
    }

    private DnsMessage Resolve(DnsMessage query, DnsQuestion question)
    {
        lock (_gate)
        {
            var answers = new List<DnsRecord>();
            var visited = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var current = question.Name;
            while (visited.Add(Normalize(current)))
            {
                var matching = _records.Where(r => r.Type == question.Type && DnsName.Equals(r.Name, current)).ToList();
                if (matching.Count > 0)
                {
                    answers.AddRange(matching);
                    return Reply(query, DnsResponseCode.NoError) with { Answers = answers };
                }

                var cname = _records.OfType<DnsCnameRecord>().FirstOrDefault(c => DnsName.Equals(c.Name, current));
                if (cname is null || question.Type == DnsRecordType.CNAME)
                {
                    break;
                }

                answers.Add(cname);
                if (!ChaseCnames)
                {
                    return Reply(query, DnsResponseCode.NoError) with { Answers = answers };
                }

                current = cname.Target;
            }

            // After a CNAME the code is about the last name of the chain (RFC 6604).
            var code = _records.Any(r => DnsName.Equals(r.Name, current)) ? DnsResponseCode.NoError : DnsResponseCode.NameError;
            return Reply(query, code) with { Answers = answers, Authorities = SoaFor(current) };
        }
    }

    private DnsMessage Negative(DnsMessage query, DnsQuestion question, DnsResponseCode code)
    {
        lock (_gate)
        {
            var withSoa = code is DnsResponseCode.NameError or DnsResponseCode.NoError;
            return Reply(query, code) with { Authorities = withSoa ? SoaFor(question.Name) : [] };
        }
    }

    private DnsRecord[] SoaFor(string name)
    {
        var labels = Normalize(name);
        while (true)
        {
            if (_soas.TryGetValue(labels, out var soa))
            {
                return [soa];
            }

            var dot = labels.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                return _soas.TryGetValue(".", out var root) ? [root] : [];
            }

            labels = labels[(dot + 1)..];
        }
    }

    private static DnsMessage Reply(DnsMessage query, DnsResponseCode code) => new()
    {
        Id = query.Id,
        IsResponse = true,
        Opcode = query.Opcode,
        IsAuthoritative = true,
        RecursionDesired = query.RecursionDesired,
        RecursionAvailable = true,
        ResponseCode = code,
        Questions = query.Questions,
        UdpPayloadSize = query.UdpPayloadSize is null ? null : (ushort)1232,
    };

    private static DnsMessage TruncatedReply(DnsMessage query) => Reply(query, DnsResponseCode.NoError) with { IsTruncated = true };

    // UDP replies larger than the client can take are replaced by an empty truncated reply (RFC 2181 9).
    private static byte[] Fit(DnsMessage reply, DnsMessage query, DnsTransport transport)
    {
        var bytes = DnsMessageWriter.Write(reply);
        var limit = Math.Max(ClassicUdpSize, (int)(query.UdpPayloadSize ?? 0));
        return transport == DnsTransport.Udp && bytes.Length > limit ? DnsMessageWriter.Write(TruncatedReply(query)) : bytes;
    }

    private static byte[] Spoof(DnsMessage query, DnsQuestion question, bool wrongId)
    {
        var reply = Reply(query, DnsResponseCode.NoError);
        if (wrongId)
        {
            reply = reply with { Id = (ushort)(query.Id ^ 0x5A5A), Answers = [BogusRecord(question.Name, question.Type)] };
        }
        else
        {
            var other = new DnsQuestion("spoofed.invalid", question.Type);
            reply = reply with { Questions = [other], Answers = [BogusRecord(other.Name, question.Type)] };
        }

        return DnsMessageWriter.Write(reply);
    }

    private static DnsRecord BogusRecord(string name, DnsRecordType type) => type switch
    {
        DnsRecordType.AAAA => new DnsAddressRecord(name, 60, IPAddress.Parse(DnsBehavior.SpoofedAddress).MapToIPv6()),
        DnsRecordType.SRV => new DnsServiceRecord(name, 60, new SrvRecord(0, 0, 8448, "spoofed.invalid")),
        _ => new DnsAddressRecord(name, 60, IPAddress.Parse(DnsBehavior.SpoofedAddress)),
    };
}
