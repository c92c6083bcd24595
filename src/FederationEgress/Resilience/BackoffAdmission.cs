namespace FederationEgress.Resilience;

/// <summary>
/// The back-off's decision for one request, handed back when its outcome is reported so a probe's
/// result (and only a probe's) moves a backed-off destination on.
/// </summary>
/// <param name="ServerName">The destination key: a server name, or a CONNECT target's <c>host:port</c>.</param>
/// <param name="IsProbe">True when the request was let through a back-off to test the destination.</param>
public readonly record struct BackoffAdmission(string ServerName, bool IsProbe);
