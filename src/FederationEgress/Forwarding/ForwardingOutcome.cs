using System.Net;
using FederationEgress.Errors;

namespace FederationEgress.Forwarding;

/// <summary>
/// What happened to one request, filled in while it is forwarded and read once at the end for the
/// access log and the request metrics.
/// </summary>
internal sealed class ForwardingOutcome
{
    /// <summary>The destination server name, once parsed.</summary>
    public string? ServerName { get; set; }

    /// <summary>The failure answered to the client, if any.</summary>
    public EgressError? Error { get; set; }

    /// <summary>The endpoint the request was sent to, if a connection was made.</summary>
    public IPEndPoint? Endpoint { get; set; }
}
