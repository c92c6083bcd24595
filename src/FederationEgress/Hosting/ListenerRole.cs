namespace FederationEgress.Hosting;

/// <summary>Which listener a connection arrived on; decides which pipeline serves it.</summary>
public enum ListenerRole
{
    /// <summary>The homeserver-facing forwarding listener ("Listen").</summary>
    Forwarding,

    /// <summary>Health, readiness and diagnostics ("Management").</summary>
    Management,

    /// <summary>Synapse's worker-proxy protocol listener ("Synapse"); authenticated by that front end.</summary>
    Synapse,
}
