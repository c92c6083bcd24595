using System.Diagnostics.CodeAnalysis;
using System.Net;
using FederationEgress.Errors;
using Microsoft.Extensions.Primitives;

namespace FederationEgress.Security.ClientAuth;

/// <summary>Decides whether a client of the forwarding listener may use the proxy.</summary>
public interface IClientAuthenticator
{
    /// <summary>The credentials header; the forwarder never sends it to a remote.</summary>
    string HeaderName { get; }

    /// <summary>True when a token is required.</summary>
    bool RequiresToken { get; }

    /// <summary>
    /// Checks the client address (403 <see cref="EgressErrorKind.ClientForbidden"/> when outside the
    /// allowed ranges) and then the credentials header values (401
    /// <see cref="EgressErrorKind.ClientUnauthorized"/> when missing or wrong).
    /// </summary>
    bool TryAuthenticate(IPAddress? clientAddress, StringValues credentials, [NotNullWhen(false)] out EgressError? error);
}
