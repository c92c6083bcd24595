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

    // SocketsHttpHandler does not say which pooled connection carried a request. An HTTP/1.1
    // connection writes a request's bytes in that request's execution flow, so the connection
    // stream reads the attempt from here and records itself (UpstreamConnectionStream.Write*).
    private static readonly AsyncLocal<UpstreamAttempt?> s_current = new();

    /// <summary>The attempt whose request is being sent in the current execution flow, if any.</summary>
    internal static UpstreamAttempt? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

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

    /// <summary>
    /// The endpoint of the connection that carried the request: the last connection opened for it,
    /// then the one its bytes were written to (which, for a pooled connection, is the only signal).
    /// </summary>
    public IPEndPoint? ConnectedEndPoint { get; set; }

    /// <summary>Set once the destination answered (response headers arrived).</summary>
    public bool Answered { get; set; }

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
