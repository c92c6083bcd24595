namespace FederationEgress.FrontEnds.Connect;

/// <summary>
/// Optional destination allow/deny decision for CONNECT targets (the operator's server-name lists).
/// Wraps a delegate so the front end does not depend on the Security folder's destination policy:
/// the host wires it in <c>AddEgressConnectFrontEnd</c>.
/// </summary>
/// <param name="check">Returns null when <c>host</c> may be reached, else the reason it is denied.</param>
internal sealed class ConnectDestinationCheck(Func<string, string?>? check)
{
    /// <summary>Null when <paramref name="host"/> may be reached; otherwise why not.</summary>
    public string? Deny(string host) => check?.Invoke(host);
}
