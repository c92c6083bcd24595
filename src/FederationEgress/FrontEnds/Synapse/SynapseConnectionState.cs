namespace FederationEgress.FrontEnds.Synapse;

/// <summary>
/// Per-connection state the Synapse adapter shares with <see cref="SynapseFrontEndMiddleware"/>
/// through the connection's items (visible to requests via <c>IConnectionItemsFeature</c>).
/// </summary>
internal sealed class SynapseConnectionState
{
    /// <summary>Key in <c>ConnectionContext.Items</c>.</summary>
    public static readonly object ItemKey = new();

    private string? _rejection;

    /// <summary>
    /// Why the adapter stopped the stream; set just before it hands Kestrel the in-band rejection
    /// marker request (<c>OPTIONS *</c>), which clients cannot send on this listener themselves.
    /// </summary>
    public string? Rejection
    {
        get => Volatile.Read(ref _rejection);
        set => Volatile.Write(ref _rejection, value);
    }
}
