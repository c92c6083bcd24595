using FederationEgress.Errors;
using Microsoft.AspNetCore.Http;

namespace FederationEgress.Security.ClientAuth;

/// <summary>
/// Guards the forwarding listener: refuses clients outside the allowed ranges (403) or without the
/// token (401) before anything is forwarded, and strips the credentials header so it never
/// reaches a remote.
/// </summary>
internal sealed class ClientAuthMiddleware
{
    private readonly RequestDelegate _next;
    private readonly IClientAuthenticator _authenticator;

    public ClientAuthMiddleware(RequestDelegate next, IClientAuthenticator authenticator)
    {
        _next = next;
        _authenticator = authenticator;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (!_authenticator.TryAuthenticate(context.Connection.RemoteIpAddress, headers[_authenticator.HeaderName], out var error))
        {
            if (error.Kind == EgressErrorKind.ClientUnauthorized)
            {
                context.Response.OnStarting(static state =>
                {
                    ((HttpResponse)state).Headers.WWWAuthenticate = "Bearer realm=\"federation-egress\"";
                    return Task.CompletedTask;
                }, context.Response);
            }

            return EgressErrorMapper.WriteAsync(context, error);
        }

        headers.Remove(_authenticator.HeaderName);
        return _next(context);
    }
}
