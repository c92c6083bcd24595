namespace FederationEgress.Hosting;

/// <summary>Whether the proxy takes traffic: false until started, false again once shutdown begins.</summary>
public sealed class ReadinessState
{
    private volatile bool _ready;

    /// <summary>True between start-up and the beginning of shutdown.</summary>
    public bool IsReady => _ready;

    internal void MarkReady() => _ready = true;

    internal void MarkDraining() => _ready = false;
}
