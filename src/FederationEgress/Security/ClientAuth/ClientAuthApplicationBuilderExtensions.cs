using Microsoft.AspNetCore.Builder;

namespace FederationEgress.Security.ClientAuth;

/// <summary>Adds client authentication to the forwarding listener's pipeline.</summary>
public static class ClientAuthApplicationBuilderExtensions
{
    /// <summary>
    /// Refuses unauthenticated clients (401/403, nothing forwarded) and strips the credentials
    /// header. Put it before the forwarding endpoint, on the forwarding listener only.
    /// Requires <see cref="SecurityServiceCollectionExtensions.AddEgressSecurity"/>.
    /// </summary>
    public static IApplicationBuilder UseEgressClientAuth(this IApplicationBuilder app) =>
        app.UseMiddleware<ClientAuthMiddleware>();
}
