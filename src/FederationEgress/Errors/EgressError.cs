namespace FederationEgress.Errors;

/// <summary>
/// A failure as data: what kind, which step (e.g. "dns", "well-known", "connect", "tls"), and a
/// human reason naming what went wrong. Rendered by <see cref="EgressErrorMapper"/>.
/// </summary>
/// <param name="Kind">The failure class; decides status and errcode.</param>
/// <param name="Step">The pipeline step that failed, for operators and the error body.</param>
/// <param name="Message">A human reason naming what was wrong. Never contains secrets or client addresses.</param>
/// <param name="RetryAfter">For back-off and overload: when the client may try again.</param>
public sealed record EgressError(EgressErrorKind Kind, string Step, string Message, TimeSpan? RetryAfter = null)
{
    /// <summary>Formats as "step: message" for logs and error bodies.</summary>
    public override string ToString() => $"{Step}: {Message}";
}
