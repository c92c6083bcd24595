namespace FederationEgress.Testing.Interop;

/// <summary>One request as <see cref="NginxServer"/> logged it.</summary>
/// <param name="Sni">TLS server name the client sent ("" when none).</param>
/// <param name="Host">Host header, exactly as sent.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Target">Request target (path and query), as sent.</param>
/// <param name="Status">Status nginx answered.</param>
public sealed record NginxRequest(string Sni, string Host, string Method, string Target, int Status);
