using System.Net;
using FederationEgress.Dns.Protocol;

namespace FederationEgress.Dns;

/// <summary>The outcome of <see cref="IDnsClient.QueryAsync"/>.</summary>
/// <param name="Question">What was asked.</param>
/// <param name="Status">Whether a response arrived, or why not.</param>
/// <param name="Response">The response when <see cref="DnsQueryStatus.Answered"/> (possibly SERVFAIL or REFUSED).</param>
/// <param name="Server">The server that answered, or the last one tried.</param>
/// <param name="Transport">Transport of the answer, or of the last exchange tried.</param>
/// <param name="Error">For anything but a NOERROR/NXDOMAIN answer: what went wrong, for logs and errors.</param>
public sealed record DnsQueryResult(
    DnsQuestion Question,
    DnsQueryStatus Status,
    DnsMessage? Response,
    IPEndPoint? Server,
    DnsTransport Transport,
    string? Error)
{
    /// <summary>The response code, when a response arrived.</summary>
    public DnsResponseCode? ResponseCode => Response?.ResponseCode;
}
