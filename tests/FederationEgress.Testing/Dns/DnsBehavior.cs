using FederationEgress.Dns;
using FederationEgress.Dns.Protocol;

namespace FederationEgress.Testing.Dns;

/// <summary>
/// A scripted reaction of <see cref="ScriptedDnsServer"/> to queries for one name (optionally one
/// type). Build one with the static members and refine it with <see cref="Delayed"/>,
/// <see cref="After"/> and <see cref="OnlyOver"/>; set it with <see cref="ScriptedDnsServer.SetBehavior"/>.
/// </summary>
public sealed record DnsBehavior
{
    /// <summary>The bogus address carried by spoofed replies (WrongId, WrongQuestion, SpoofedThenAnswer).</summary>
    public const string SpoofedAddress = "127.66.66.66";

    private DnsBehavior(DnsBehaviorKind kind)
    {
        Kind = kind;
    }

    /// <summary>What happens.</summary>
    public DnsBehaviorKind Kind { get; private init; }

    /// <summary>Response code for <see cref="DnsBehaviorKind.ResponseCode"/>.</summary>
    public DnsResponseCode Code { get; private init; }

    /// <summary>Transformation for <see cref="DnsBehaviorKind.Malformed"/>: real answer bytes in, bytes sent out.</summary>
    public Func<byte[], byte[]>? Transform { get; private init; }

    /// <summary>Reply builder for <see cref="DnsBehaviorKind.Raw"/>: query bytes in, reply out (null: no reply).</summary>
    public Func<byte[], byte[]?>? Reply { get; private init; }

    /// <summary>Wait this long before replying.</summary>
    public TimeSpan Delay { get; private init; }

    /// <summary>Wait for this task before replying (e.g. a TaskCompletionSource the test completes).</summary>
    public Task? Gate { get; private init; }

    /// <summary>When set, the behaviour applies only over this transport; the other gets a normal answer.</summary>
    public DnsTransport? Transport { get; private init; }

    /// <summary>Normal answer from the zone (use with <see cref="Delayed"/> or <see cref="After"/>).</summary>
    public static DnsBehavior Answer { get; } = new(DnsBehaviorKind.Answer);

    /// <summary>SERVFAIL.</summary>
    public static DnsBehavior ServerFailure { get; } = WithResponseCode(DnsResponseCode.ServerFailure);

    /// <summary>NXDOMAIN (even if the zone has records), with the zone's SOA if one is set.</summary>
    public static DnsBehavior NameError { get; } = WithResponseCode(DnsResponseCode.NameError);

    /// <summary>REFUSED.</summary>
    public static DnsBehavior Refused { get; } = WithResponseCode(DnsResponseCode.Refused);

    /// <summary>Never answer (the client times out).</summary>
    public static DnsBehavior Drop { get; } = new(DnsBehaviorKind.Drop);

    /// <summary>TC bit over UDP, full answer over TCP.</summary>
    public static DnsBehavior TruncateOverUdp { get; } = new(DnsBehaviorKind.TruncateOverUdp);

    /// <summary>Only a reply with the wrong id (the client must time out, not accept it).</summary>
    public static DnsBehavior WrongId { get; } = new(DnsBehaviorKind.WrongId);

    /// <summary>Only a reply with the right id but a different question.</summary>
    public static DnsBehavior WrongQuestion { get; } = new(DnsBehaviorKind.WrongQuestion);

    /// <summary>Wrong-id and wrong-question replies first, then the real answer.</summary>
    public static DnsBehavior SpoofedThenAnswer { get; } = new(DnsBehaviorKind.SpoofedThenAnswer);

    /// <summary>The real answer cut in half (lengths run past the end).</summary>
    public static DnsBehavior MalformedCut { get; } = Malformed(static bytes => bytes[..Math.Max(DnsMessageReader.HeaderSize, bytes.Length / 2)]);

    /// <summary>The real answer with one more answer claimed in ANCOUNT than present.</summary>
    public static DnsBehavior MalformedCount { get; } = Malformed(static bytes =>
    {
        var copy = (byte[])bytes.Clone();
        var count = (copy[6] << 8) | copy[7];
        count++;
        copy[6] = (byte)(count >> 8);
        copy[7] = (byte)count;
        return copy;
    });

    /// <summary>A reply (right id, right question) whose answer name is a compression pointer to itself.</summary>
    public static DnsBehavior MalformedCompressionLoop { get; } = Malformed(static bytes => DnsPacketFactory.CompressionLoopReply(bytes));

    /// <summary>A fixed response code.</summary>
    public static DnsBehavior WithResponseCode(DnsResponseCode code) => new(DnsBehaviorKind.ResponseCode) { Code = code };

    /// <summary>The real answer's bytes passed through <paramref name="transform"/>.</summary>
    public static DnsBehavior Malformed(Func<byte[], byte[]> transform) => new(DnsBehaviorKind.Malformed) { Transform = transform };

    /// <summary>Replies computed from the raw query bytes (null: no reply).</summary>
    public static DnsBehavior Raw(Func<byte[], byte[]?> reply) => new(DnsBehaviorKind.Raw) { Reply = reply };

    /// <summary>The same behaviour after waiting <paramref name="delay"/>.</summary>
    public DnsBehavior Delayed(TimeSpan delay) => this with { Delay = delay };

    /// <summary>The same behaviour once <paramref name="gate"/> completes.</summary>
    public DnsBehavior After(Task gate) => this with { Gate = gate };

    /// <summary>The same behaviour, but only over <paramref name="transport"/>.</summary>
    public DnsBehavior OnlyOver(DnsTransport transport) => this with { Transport = transport };
}
