using FederationEgress.Diagnostics;

namespace FederationEgress.Dns;

/// <summary>DNS span and tag names (on <see cref="EgressTelemetry"/>'s ActivitySource; metrics go through <see cref="EgressMetrics"/>).</summary>
internal static class DnsTelemetry
{
    public const string QueryActivityName = "dns.query";
    public const string CacheEventName = "dns.cache";

    public const string QuestionNameTag = "dns.question.name";
    public const string QuestionTypeTag = "dns.question.type";
    public const string ResponseCodeTag = "dns.response_code";
    public const string AnswerCountTag = "dns.answer_count";
    public const string CacheTag = "dns.cache";
    public const string TransportTag = "network.transport";
    public const string ServerAddressTag = "server.address";
    public const string ServerPortTag = "server.port";
    public const string ErrorTypeTag = "error.type";
    public const string OutcomeTag = "outcome";

    public const string Hit = "hit";
    public const string Miss = "miss";
    public const string Stale = "stale";

    /// <summary>The record type as a metric tag value, without allocating.</summary>
    public static string TypeName(Protocol.DnsRecordType type) => type switch
    {
        Protocol.DnsRecordType.A => "A",
        Protocol.DnsRecordType.AAAA => "AAAA",
        Protocol.DnsRecordType.SRV => "SRV",
        Protocol.DnsRecordType.CNAME => "CNAME",
        _ => "OTHER",
    };

    public static string TransportName(DnsTransport transport) => transport == DnsTransport.Tcp ? "tcp" : "udp";
}
