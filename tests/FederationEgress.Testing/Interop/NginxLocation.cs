namespace FederationEgress.Testing.Interop;

/// <summary>
/// A fixed answer <see cref="NginxServer"/> gives for one exact path. For 301/302/303/307/308,
/// <paramref name="Body"/> is the redirect target URL.
/// </summary>
/// <param name="Path">Exact request path, e.g. "/.well-known/matrix/server".</param>
/// <param name="Status">HTTP status.</param>
/// <param name="Body">Response body (or redirect URL).</param>
/// <param name="ContentType">Content-Type of the body.</param>
/// <param name="Headers">Extra response headers (e.g. Cache-Control).</param>
public sealed record NginxLocation(
    string Path,
    int Status,
    string Body,
    string ContentType = "application/json",
    IReadOnlyDictionary<string, string>? Headers = null);
