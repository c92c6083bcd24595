using System.Net;
using FederationEgress.Discovery;
using FederationEgress.Errors;

namespace FederationEgress.Forwarding.Upstream;

/// <summary>
/// Per-forwarded-request connection state shared by the forwarder's retry loop, the connect
/// callback, the TLS handshake timer and the certificate check: where to start dialling, which
/// endpoint is connected, and the first failure (which is what the client is told).
/// </summary>
internal sealed class UpstreamAttempt
{
    internal static readonly HttpRequestOptionsKey<UpstreamAttempt> Key = new("FederationEgress.UpstreamAttempt");

    private EgressError? _firstError;
    private int _failureCount;

    public UpstreamAttempt(Resolution resolution)
    {
        Resolution = resolution;
    }

    /// <summary>The endpoints to dial and the Host/TLS name.</summary>
    public Resolution Resolution { get; }

    private int _startIndex;

    /// <summary>
    /// Index of the first endpoint not known to fail for this request: connection attempts dial
    /// from here. Only failures move it; a successful connect does not, because SocketsHttpHandler
    /// may hand that connection to another request and open a new one for this request.
    /// </summary>
    public int StartIndex => Volatile.Read(ref _startIndex);

    /// <summary>The endpoint of the last established TCP connection, if any.</summary>
    public IPEndPoint? ConnectedEndPoint { get; set; }

    /// <summary>Index of <see cref="ConnectedEndPoint"/> in the resolution, or -1.</summary>
    public int ConnectedIndex { get; set; } = -1;

    /// <summary>Marks endpoint <paramref name="index"/> as failed: later attempts start after it.</summary>
    public void MarkFailed(int index)
    {
        var next = index + 1;
        var current = Volatile.Read(ref _startIndex);
        while (current < next)
        {
            var seen = Interlocked.CompareExchange(ref _startIndex, next, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>The first failure recorded; the one reported after the last endpoint fails.</summary>
    public EgressError? FirstError => Volatile.Read(ref _firstError);

    /// <summary>How many failures were recorded (lets the retry loop see whether a try recorded one).</summary>
    public int FailureCount => Volatile.Read(ref _failureCount);

    /// <summary>Records a failure; the first one wins.</summary>
    public void RecordFailure(EgressError error)
    {
        Interlocked.CompareExchange(ref _firstError, error, null);
        Interlocked.Increment(ref _failureCount);
    }
}
