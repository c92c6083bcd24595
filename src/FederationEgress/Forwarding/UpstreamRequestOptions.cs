using FederationEgress.Discovery;

namespace FederationEgress.Forwarding;

/// <summary>Per-request inputs to the upstream handler's connect logic, carried in <see cref="HttpRequestMessage.Options"/>.</summary>
public static class UpstreamRequestOptions
{
    /// <summary>
    /// The resolution whose endpoints to dial, in order. When absent, the handler resolves the
    /// request URI's host with the DNS resolver (AAAA/A) and dials those addresses.
    /// </summary>
    public static readonly HttpRequestOptionsKey<Resolution> Resolution = new("FederationEgress.Resolution");
}
