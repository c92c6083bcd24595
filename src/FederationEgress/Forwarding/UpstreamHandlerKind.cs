namespace FederationEgress.Forwarding;

/// <summary>What an upstream handler is used for; decides timeouts and pooling.</summary>
public enum UpstreamHandlerKind
{
    /// <summary>Forwarding federation requests (pooled, HTTP/2 when offered).</summary>
    Federation,

    /// <summary>Fetching <c>/.well-known/matrix/server</c> (short timeouts, HTTP/1.1, no redirects followed by the handler).</summary>
    WellKnown,
}
