namespace FederationEgress.Forwarding;

/// <summary>
/// Creates the outbound HTTP handlers. Every socket they open goes through the egress policy:
/// endpoints from <see cref="UpstreamRequestOptions.Resolution"/> (else DNS of the URI host), each
/// dialled IP checked by <see cref="Security.IEgressAddressPolicy"/> at connect time, failover to the
/// next endpoint on connect/TLS failure, and certificates validated by the TLS policy for the name
/// in the Host header (or the IP for IP literals, with no SNI).
/// </summary>
public interface IUpstreamHandlerFactory
{
    /// <summary>Returns the shared handler for <paramref name="kind"/> (created once; do not dispose).</summary>
    HttpMessageInvoker GetInvoker(UpstreamHandlerKind kind);
}
