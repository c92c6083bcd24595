using FederationEgress.Discovery;
using FederationEgress.Forwarding.Upstream;
using FederationEgress.Resilience;

namespace FederationEgress.Forwarding;

/// <summary>What the transformer needs about the request being forwarded (set as an HttpContext feature).</summary>
internal sealed class ForwardingRequestState
{
    private readonly IDestinationBackoff? _backoff;
    private readonly BackoffAdmission _admission;

    public ForwardingRequestState(
        Resolution resolution,
        Uri requestUri,
        UpstreamAttempt attempt,
        ForwardingProfile profile,
        CancellationTokenSource responseHeadersTimeout,
        IDestinationBackoff? backoff = null,
        BackoffAdmission admission = default)
    {
        Resolution = resolution;
        RequestUri = requestUri;
        Attempt = attempt;
        Profile = profile;
        ResponseHeadersTimeout = responseHeadersTimeout;
        _backoff = backoff;
        _admission = admission;
    }

    /// <summary>
    /// Response headers arrived: the destination answered, so its back-off resets now, before the
    /// body streams (a client that has the whole answer sees the destination healthy).
    /// </summary>
    public void ResponseArrived()
    {
        Attempt.Answered = true;
        _backoff?.ReportResponse(_admission);
    }

    /// <summary>
    /// The response body was forwarded whole (YARP only reaches trailers after copying all of it):
    /// a request-body error reported after this is not a broken answer.
    /// </summary>
    public bool ResponseForwarded { get; private set; }

    /// <summary>Marks <see cref="ResponseForwarded"/>.</summary>
    public void ResponseBodyForwarded() => ResponseForwarded = true;

    public Resolution Resolution { get; }

    /// <summary>The outgoing URI: authority = server name (pool key), path and query verbatim.</summary>
    public Uri RequestUri { get; }

    public UpstreamAttempt Attempt { get; }

    public ForwardingProfile Profile { get; }

    /// <summary>Cancels the exchange when response headers take too long; disarmed when they arrive.</summary>
    public CancellationTokenSource ResponseHeadersTimeout { get; }
}
