namespace FederationEgress.Discovery;

/// <summary>The branch of the spec's server-discovery algorithm that produced a resolution.</summary>
public enum DiscoveryStep
{
    /// <summary>Step 1: the server name is an IP literal.</summary>
    IpLiteral,

    /// <summary>Step 2: hostname with an explicit port; AAAA/A of the hostname.</summary>
    ExplicitPort,

    /// <summary>Step 3a: well-known delegated to an IP literal.</summary>
    WellKnownIpLiteral,

    /// <summary>Step 3b: well-known delegated to a hostname with a port.</summary>
    WellKnownExplicitPort,

    /// <summary>Step 3c: well-known delegated to a hostname without port, which has SRV records.</summary>
    WellKnownSrv,

    /// <summary>Step 3d: well-known delegated to a hostname without port and without SRV records; port 8448.</summary>
    WellKnownDefaultPort,

    /// <summary>Step 4: no (valid) well-known; SRV records of the server name.</summary>
    Srv,

    /// <summary>Step 5: no well-known and no SRV; AAAA/A of the server name on port 8448.</summary>
    DefaultPort,
}
