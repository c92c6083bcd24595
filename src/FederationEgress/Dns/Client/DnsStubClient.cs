using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using FederationEgress.Diagnostics;
using FederationEgress.Dns.Protocol;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Dns.Client;

/// <summary>
/// A stub resolver speaking RFC 1035 to recursive servers. Each question gets a fresh random id
/// and a fresh socket (so a random source port); a reply counts only if its id and question match
/// (anything else is ignored until the timeout, RFC 5452). UDP first with an EDNS0 payload size;
/// TCP when the reply is truncated. Servers are tried in order; a server that answers SERVFAIL,
/// REFUSED or another error code is not asked again for this question, one that times out or is
/// unreachable is retried on the next pass.
/// </summary>
internal sealed partial class DnsStubClient : IDnsClient
{
    private const int MaxDatagramSize = ushort.MaxValue;
    private const int TcpLengthPrefixSize = 2;

    private readonly DnsClientSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates a client with explicit settings (tests, tools).</summary>
    /// <param name="settings">Servers, timeout, attempts, payload size.</param>
    /// <param name="time">Clock for the per-exchange timeouts.</param>
    /// <param name="logger">Logger.</param>
    public DnsStubClient(DnsClientSettings settings, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Servers.Count == 0)
        {
            throw new ArgumentException("at least one DNS server is needed", nameof(settings));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Attempts, 1, nameof(settings));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(settings.Timeout, TimeSpan.Zero, nameof(settings));
        _settings = settings;
        _time = time;
        _logger = logger;
        if (settings.IsFallback)
        {
            Log.FallbackServer(_logger, DnsClientSettings.FallbackServer);
        }

        Log.ServersConfigured(_logger, string.Join(", ", settings.Servers), settings.Source, (long)settings.Timeout.TotalMilliseconds, settings.Attempts);
    }

    /// <summary>The effective settings.</summary>
    public DnsClientSettings Settings => _settings;

    public async Task<DnsQueryResult> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        if (!DnsName.IsValid(name, out var invalid))
        {
            throw new ArgumentException($"not a valid DNS name: {invalid}", nameof(name));
        }

        var question = new DnsQuestion(name, type);
        var typeName = DnsNames.TypeName(type);
        using var activity = EgressTelemetry.ActivitySource.StartActivity(DnsTelemetry.QueryActivityName, ActivityKind.Client);
        activity?.SetTag(DnsTelemetry.QuestionNameTag, name);
        activity?.SetTag(DnsTelemetry.QuestionTypeTag, typeName);
        var started = _time.GetTimestamp();

        var servers = _settings.Servers;
        var settled = new bool[servers.Count];
        DnsQueryResult? errorAnswer = null;
        DnsQueryResult? failure = null;
        DnsQueryResult? result = null;
        for (var attempt = 0; attempt < _settings.Attempts && result is null; attempt++)
        {
            for (var i = 0; i < servers.Count; i++)
            {
                if (settled[i])
                {
                    continue;
                }

                var exchange = await ExchangeAsync(question, servers[i], activity, cancellationToken).ConfigureAwait(false);
                if (exchange.Status == DnsQueryStatus.Answered
                    && exchange.Response!.ResponseCode is DnsResponseCode.NoError or DnsResponseCode.NameError)
                {
                    result = exchange;
                    break;
                }

                if (exchange.Status == DnsQueryStatus.Answered)
                {
                    settled[i] = true;
                    errorAnswer = exchange;
                }
                else
                {
                    failure = exchange;
                }

                Log.AttemptFailed(_logger, typeName, name, exchange.Server!, DnsTelemetry.TransportName(exchange.Transport), exchange.Error);
                activity?.AddEvent(new ActivityEvent("dns.attempt_failed", tags: new ActivityTagsCollection
                {
                    [DnsTelemetry.ServerAddressTag] = exchange.Server!.Address.ToString(),
                    [DnsTelemetry.ServerPortTag] = exchange.Server.Port,
                    [DnsTelemetry.TransportTag] = DnsTelemetry.TransportName(exchange.Transport),
                    [DnsTelemetry.ErrorTypeTag] = ErrorType(exchange),
                }));
            }

            if (settled.All(s => s))
            {
                break;
            }
        }

        // A server's own error answer says more than another server's silence.
        result ??= errorAnswer ?? failure!;
        Record(result, typeName, activity, _time.GetElapsedTime(started));
        return result;
    }

    private static string? ErrorType(DnsQueryResult result) => result.Status switch
    {
        DnsQueryStatus.Answered when result.Response!.ResponseCode is DnsResponseCode.NoError or DnsResponseCode.NameError => null,
        DnsQueryStatus.Answered => ResponseCodeTag(result.Response!.ResponseCode),
        DnsQueryStatus.Timeout => "timeout",
        DnsQueryStatus.Unreachable => "unreachable",
        _ => "malformed",
    };

    private static string ResponseCodeTag(DnsResponseCode code) => code switch
    {
        DnsResponseCode.NoError => "noerror",
        DnsResponseCode.NameError => "nxdomain",
        DnsResponseCode.ServerFailure => "servfail",
        DnsResponseCode.Refused => "refused",
        DnsResponseCode.FormatError => "formerr",
        DnsResponseCode.NotImplemented => "notimp",
        _ => DnsNames.ResponseCodeName(code).ToLowerInvariant(),
    };

    private void Record(DnsQueryResult result, string typeName, Activity? activity, TimeSpan duration)
    {
        var transport = DnsTelemetry.TransportName(result.Transport);
        var errorType = ErrorType(result);
        // Metrics use the dig mnemonics ("NOERROR") of dns.response.rcode, or the failure when no response arrived.
        var responseCode = result.Response is { } response ? DnsNames.ResponseCodeName(response.ResponseCode) : errorType ?? "none";
        EgressMetrics.Default.DnsQueryCompleted(typeName, responseCode, duration, transport, errorType);

        if (activity is not null)
        {
            activity.SetTag(DnsTelemetry.TransportTag, transport);
            activity.SetTag(DnsTelemetry.ServerAddressTag, result.Server?.Address.ToString());
            activity.SetTag(DnsTelemetry.ServerPortTag, result.Server?.Port);
            if (result.Response is { } answered)
            {
                activity.SetTag(DnsTelemetry.ResponseCodeTag, ResponseCodeTag(answered.ResponseCode));
                activity.SetTag(DnsTelemetry.AnswerCountTag, answered.Answers.Count);
            }

            if (errorType is not null)
            {
                activity.SetTag(DnsTelemetry.ErrorTypeTag, errorType);
                activity.SetStatus(ActivityStatusCode.Error, result.Error);
            }
        }

        if (result.Status == DnsQueryStatus.Answered)
        {
            Log.QueryAnswered(_logger, typeName, result.Question.Name, DnsNames.ResponseCodeName(result.Response!.ResponseCode), result.Response.Answers.Count, result.Server!, transport, (long)duration.TotalMilliseconds);
        }
        else
        {
            Log.QueryFailed(_logger, typeName, result.Question.Name, result.Status, result.Error, (long)duration.TotalMilliseconds);
        }
    }

    private async Task<DnsQueryResult> ExchangeAsync(DnsQuestion question, IPEndPoint server, Activity? activity, CancellationToken cancellationToken)
    {
        var (udp, truncated) = await UdpExchangeAsync(question, server, cancellationToken).ConfigureAwait(false);
        if (!truncated)
        {
            return udp;
        }

        Log.Truncated(_logger, DnsNames.TypeName(question.Type), question.Name, server);
        activity?.AddEvent(new ActivityEvent("dns.truncated"));
        return await TcpExchangeAsync(question, server, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(DnsQueryResult Result, bool Truncated)> UdpExchangeAsync(DnsQuestion question, IPEndPoint server, CancellationToken cancellationToken)
    {
        var id = NewId();
        var query = DnsMessageWriter.WriteQuery(id, question.Name, question.Type, _settings.UdpPayloadSize);
        using var timeout = new CancellationTokenSource(_settings.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var buffer = ArrayPool<byte>.Shared.Rent(MaxDatagramSize);
        string? malformed = null;
        try
        {
            // A connected socket only accepts datagrams from the server's address and port, and
            // surfaces ICMP "port unreachable" as ConnectionRefused.
            using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            await socket.ConnectAsync(server, linked.Token).ConfigureAwait(false);
            await socket.SendAsync(query, SocketFlags.None, linked.Token).ConfigureAwait(false);
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer.AsMemory(0, MaxDatagramSize), SocketFlags.None, linked.Token).ConfigureAwait(false);
                var datagram = buffer.AsSpan(0, received);
                if (!DnsMessageReader.TryReadHeader(datagram, out var replyId, out var isResponse, out var isTruncated) || replyId != id || !isResponse)
                {
                    Log.ResponseIgnored(_logger, server, DnsNames.TypeName(question.Type), question.Name, "id or QR bit does not match");
                    continue;
                }

                DnsMessage response;
                try
                {
                    response = DnsMessageReader.Read(datagram);
                }
                catch (DnsFormatException ex)
                {
                    if (isTruncated)
                    {
                        // Servers may cut a truncated reply anywhere; TCP gets the whole answer.
                        return (Result(question, DnsQueryStatus.Answered, null, server, DnsTransport.Udp, null), true);
                    }

                    malformed = $"malformed response from {server}: {ex.Message}";
                    Log.ResponseIgnored(_logger, server, DnsNames.TypeName(question.Type), question.Name, ex.Message);
                    continue;
                }

                if (response.Questions.Count != 1 || !response.Questions[0].Matches(question))
                {
                    Log.ResponseIgnored(_logger, server, DnsNames.TypeName(question.Type), question.Name, "question does not match");
                    continue;
                }

                if (response.IsTruncated)
                {
                    return (Result(question, DnsQueryStatus.Answered, response, server, DnsTransport.Udp, null), true);
                }

                return (Answered(question, response, server, DnsTransport.Udp), false);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return malformed is null
                ? (Result(question, DnsQueryStatus.Timeout, null, server, DnsTransport.Udp, $"no answer from {server} over UDP within {(long)_settings.Timeout.TotalMilliseconds} ms"), false)
                : (Result(question, DnsQueryStatus.Malformed, null, server, DnsTransport.Udp, malformed), false);
        }
        catch (SocketException ex)
        {
            return (Result(question, DnsQueryStatus.Unreachable, null, server, DnsTransport.Udp, $"{server} unreachable over UDP: {ex.SocketErrorCode}"), false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<DnsQueryResult> TcpExchangeAsync(DnsQuestion question, IPEndPoint server, CancellationToken cancellationToken)
    {
        var id = NewId();
        var query = DnsMessageWriter.WriteQuery(id, question.Name, question.Type, _settings.UdpPayloadSize);
        var framed = new byte[TcpLengthPrefixSize + query.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, TcpLengthPrefixSize);

        using var timeout = new CancellationTokenSource(_settings.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(server, linked.Token).ConfigureAwait(false);
            await socket.SendAsync(framed, SocketFlags.None, linked.Token).ConfigureAwait(false);

            var prefix = new byte[TcpLengthPrefixSize];
            if (!await ReceiveExactlyAsync(socket, prefix, linked.Token).ConfigureAwait(false))
            {
                return Result(question, DnsQueryStatus.Malformed, null, server, DnsTransport.Tcp, $"{server} closed the TCP connection without answering");
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
            var message = new byte[length];
            if (!await ReceiveExactlyAsync(socket, message, linked.Token).ConfigureAwait(false))
            {
                return Result(question, DnsQueryStatus.Malformed, null, server, DnsTransport.Tcp, $"{server} closed the TCP connection inside a {length}-byte response");
            }

            DnsMessage response;
            try
            {
                response = DnsMessageReader.Read(message);
            }
            catch (DnsFormatException ex)
            {
                return Result(question, DnsQueryStatus.Malformed, null, server, DnsTransport.Tcp, $"malformed TCP response from {server}: {ex.Message}");
            }

            // On a connection we opened, a mismatch is a broken server rather than spoofing.
            if (response.Id != id || !response.IsResponse || response.Questions.Count != 1 || !response.Questions[0].Matches(question))
            {
                return Result(question, DnsQueryStatus.Malformed, null, server, DnsTransport.Tcp, $"TCP response from {server} does not match the query");
            }

            return Answered(question, response, server, DnsTransport.Tcp);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Result(question, DnsQueryStatus.Timeout, null, server, DnsTransport.Tcp, $"no answer from {server} over TCP within {(long)_settings.Timeout.TotalMilliseconds} ms");
        }
        catch (SocketException ex)
        {
            return Result(question, DnsQueryStatus.Unreachable, null, server, DnsTransport.Tcp, $"{server} unreachable over TCP: {ex.SocketErrorCode}");
        }
    }

    private static async Task<bool> ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer[filled..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            filled += read;
        }

        return true;
    }

    private static ushort NewId() => (ushort)RandomNumberGenerator.GetInt32(0, ushort.MaxValue + 1);

    private static DnsQueryResult Answered(DnsQuestion question, DnsMessage response, IPEndPoint server, DnsTransport transport)
    {
        var error = response.ResponseCode is DnsResponseCode.NoError or DnsResponseCode.NameError
            ? null
            : $"{DnsNames.ResponseCodeName(response.ResponseCode)} from {server}";
        return new DnsQueryResult(question, DnsQueryStatus.Answered, response, server, transport, error);
    }

    private static DnsQueryResult Result(DnsQuestion question, DnsQueryStatus status, DnsMessage? response, IPEndPoint server, DnsTransport transport, string? error) =>
        new(question, status, response, server, transport, error);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1000, EventName = "DnsQueryAnswered", Level = LogLevel.Debug,
            Message = "DNS {QuestionType} {QuestionName}: {ResponseCode} with {AnswerCount} answers from {Server} over {Transport} in {DurationMs} ms")]
        public static partial void QueryAnswered(ILogger logger, string questionType, string questionName, string responseCode, int answerCount, IPEndPoint server, string transport, long durationMs);

        [LoggerMessage(EventId = 1001, EventName = "DnsQueryFailed", Level = LogLevel.Debug,
            Message = "DNS {QuestionType} {QuestionName} failed after {DurationMs} ms: {Status} ({Error})")]
        public static partial void QueryFailed(ILogger logger, string questionType, string questionName, DnsQueryStatus status, string? error, long durationMs);

        [LoggerMessage(EventId = 1002, EventName = "DnsResponseIgnored", Level = LogLevel.Debug,
            Message = "Ignored a datagram from {Server} while waiting for {QuestionType} {QuestionName}: {Reason}")]
        public static partial void ResponseIgnored(ILogger logger, IPEndPoint server, string questionType, string questionName, string reason);

        [LoggerMessage(EventId = 1003, EventName = "DnsTruncated", Level = LogLevel.Debug,
            Message = "DNS {QuestionType} {QuestionName}: truncated UDP answer from {Server}, retrying over TCP")]
        public static partial void Truncated(ILogger logger, string questionType, string questionName, IPEndPoint server);

        [LoggerMessage(EventId = 1004, EventName = "DnsAttemptFailed", Level = LogLevel.Debug,
            Message = "DNS {QuestionType} {QuestionName}: no usable answer from {Server} over {Transport} ({Error})")]
        public static partial void AttemptFailed(ILogger logger, string questionType, string questionName, IPEndPoint server, string transport, string? error);

        [LoggerMessage(EventId = 1005, EventName = "DnsServersConfigured", Level = LogLevel.Information,
            Message = "DNS servers {Servers} (from {Source}), timeout {TimeoutMs} ms, {Attempts} attempts")]
        public static partial void ServersConfigured(ILogger logger, string servers, string source, long timeoutMs, int attempts);

        [LoggerMessage(EventId = 1006, EventName = "DnsFallbackServer", Level = LogLevel.Warning,
            Message = "No nameserver found in resolv.conf; using {Server}")]
        public static partial void FallbackServer(ILogger logger, IPEndPoint server);
    }
}
