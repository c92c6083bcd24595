namespace FederationEgress.Testing.Tls;

/// <summary>A request as the remote server saw it.</summary>
/// <param name="Sni">The SNI the client sent, or null when it sent none.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="RawTarget">The request target exactly as received (path and query bytes, undecoded).</param>
/// <param name="Host">The Host header (HTTP/1.1) or :authority (HTTP/2).</param>
/// <param name="Protocol">"HTTP/1.1" or "HTTP/2".</param>
/// <param name="Headers">All request headers (lower-case names), values joined by ", ".</param>
/// <param name="Body">The request body.</param>
/// <param name="LocalPort">The port the request arrived on.</param>
public sealed record RecordedRequest(
    string? Sni,
    string Method,
    string RawTarget,
    string Host,
    string Protocol,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    int LocalPort);
