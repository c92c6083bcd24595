using FederationEgress.Discovery;
using FederationEgress.Forwarding.Upstream;

namespace FederationEgress.Forwarding;

/// <summary>What the transformer needs about the request being forwarded (set as an HttpContext feature).</summary>
internal sealed class ForwardingRequestState
{
    public ForwardingRequestState(Resolution resolution, Uri requestUri, UpstreamAttempt attempt, ForwardingProfile profile, CancellationTokenSource responseHeadersTimeout)
    {
        Resolution = resolution;
        RequestUri = requestUri;
        Attempt = attempt;
        Profile = profile;
        ResponseHeadersTimeout = responseHeadersTimeout;
    }

    public Resolution Resolution { get; }

    /// <summary>The outgoing URI: authority = server name (pool key), path and query verbatim.</summary>
    public Uri RequestUri { get; }

    public UpstreamAttempt Attempt { get; }

    public ForwardingProfile Profile { get; }

    /// <summary>Cancels the exchange when response headers take too long; disarmed when they arrive.</summary>
    public CancellationTokenSource ResponseHeadersTimeout { get; }
}
