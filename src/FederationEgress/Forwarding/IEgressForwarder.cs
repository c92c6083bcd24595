using FederationEgress.Errors;
using FederationEgress.ServerNames;
using Microsoft.AspNetCore.Http;

namespace FederationEgress.Forwarding;

/// <summary>
/// The forwarding core, for every front end (path mode, Synapse's proxy protocol): discovers the
/// destination, forwards the request over HTTPS and streams the answer back, or writes the
/// failure as JSON in the request's <see cref="ForwardingProfile"/>.
/// </summary>
public interface IEgressForwarder
{
    /// <summary>
    /// Forwards the current request to <paramref name="serverName"/> as
    /// <c>{METHOD} {pathAndQuery}</c>. <paramref name="pathAndQuery"/> must start with '/' and is
    /// sent byte-for-byte. Writes the response (remote's or error) itself.
    /// </summary>
    Task ForwardAsync(HttpContext context, ServerName serverName, string pathAndQuery);

    /// <summary>Logs <paramref name="error"/> once (with the trace id) and writes it in the request's profile.</summary>
    Task WriteErrorAsync(HttpContext context, EgressError error, string? serverName);
}
