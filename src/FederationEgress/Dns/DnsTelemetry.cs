using System.Diagnostics.Metrics;
using FederationEgress.Diagnostics;

namespace FederationEgress.Dns;

/// <summary>DNS instruments and span/tag names (on <see cref="EgressTelemetry"/>'s Meter and ActivitySource).</summary>
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

    /// <summary>Queries sent (one per question, whatever the retries), by type, response code and transport.</summary>
    public static readonly Counter<long> Queries = EgressTelemetry.Meter.CreateCounter<long>(
        "egress.dns.queries", unit: "{query}", description: "DNS queries sent by the stub client.");

    /// <summary>Time from the first datagram to the final answer or failure.</summary>
    public static readonly Histogram<double> QueryDuration = EgressTelemetry.Meter.CreateHistogram<double>(
        "egress.dns.query.duration", unit: "s", description: "Duration of DNS queries, retries included.");

    /// <summary>Cache lookups by outcome (hit, miss, stale).</summary>
    public static readonly Counter<long> CacheLookups = EgressTelemetry.Meter.CreateCounter<long>(
        "egress.dns.cache.lookups", unit: "{lookup}", description: "DNS cache lookups by outcome.");

    public static string TransportName(DnsTransport transport) => transport == DnsTransport.Tcp ? "tcp" : "udp";
}
