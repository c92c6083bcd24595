using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using FederationEgress.Dns.Protocol;

namespace FederationEgress.BenchTool.ColdPath;

/// <summary>
/// A UDP DNS server on loopback answering from a <see cref="BenchZone"/>. The test fixture
/// ScriptedDnsServer scans its record list per query, which at 10,000+ names would measure the
/// fixture instead of the proxy; this one computes answers and runs a receive loop per core.
/// </summary>
internal sealed class SyntheticDnsServer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly BenchZone _zone;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _loops;
    private readonly ConcurrentDictionary<(string Name, DnsRecordType Type), int>? _counts;
    private long _queries;

    public SyntheticDnsServer(BenchZone zone, bool countPerName)
    {
        _zone = zone;
        _counts = countPerName ? new() : null;
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loops = Enumerable.Range(0, Math.Max(2, Environment.ProcessorCount)).Select(_ => Task.Run(LoopAsync)).ToArray();
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>The server as a Dns:Servers entry.</summary>
    public string Server => EndPoint.ToString();

    public long QueryCount => Interlocked.Read(ref _queries);

    /// <summary>Queries per (name, type) when counting was requested.</summary>
    public IReadOnlyDictionary<(string Name, DnsRecordType Type), int> Counts => _counts ?? new();

    private async Task LoopAsync()
    {
        var buffer = new byte[4096];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            byte[] reply;
            try
            {
                reply = BuildReply(buffer.AsSpan(0, received.ReceivedBytes));
            }
            catch (DnsFormatException)
            {
                continue;
            }

            try
            {
                await _socket.SendToAsync(reply, SocketFlags.None, received.RemoteEndPoint, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
            }
        }
    }

    private byte[] BuildReply(ReadOnlySpan<byte> bytes)
    {
        var query = DnsMessageReader.Read(bytes);
        Interlocked.Increment(ref _queries);
        var question = query.Questions[0];
        _counts?.AddOrUpdate((question.Name.ToLowerInvariant(), question.Type), 1, static (_, n) => n + 1);
        var (code, answers, authorities) = _zone.Answer(question.Name, question.Type);
        return DnsMessageWriter.Write(new DnsMessage
        {
            Id = query.Id,
            IsResponse = true,
            IsAuthoritative = true,
            RecursionDesired = query.RecursionDesired,
            RecursionAvailable = true,
            ResponseCode = code,
            Questions = query.Questions,
            Answers = answers,
            Authorities = authorities,
            UdpPayloadSize = query.UdpPayloadSize is null ? null : (ushort)1232,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }
}
