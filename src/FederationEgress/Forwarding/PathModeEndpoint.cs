using FederationEgress.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace FederationEgress.Forwarding;

/// <summary>
/// The native front end: <c>{METHOD} /{serverName}/{path-and-query}</c> is forwarded to
/// <c>{serverName}</c> as <c>{METHOD} /{path-and-query}</c>. The target is taken raw from the
/// request line so nothing is decoded or re-encoded on the way.
/// </summary>
internal sealed class PathModeEndpoint
{
    private readonly IEgressForwarder _forwarder;

    public PathModeEndpoint(IEgressForwarder forwarder)
    {
        _forwarder = forwarder;
    }

    /// <summary>The terminal request delegate of the forwarding listener.</summary>
    public Task HandleAsync(HttpContext context)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? string.Empty;
        if (!RequestTargetParser.TryParse(rawTarget, out var target, out var error))
        {
            return _forwarder.WriteErrorAsync(context, error, serverName: null);
        }

        return _forwarder.ForwardAsync(context, target.ServerName, target.PathAndQuery);
    }

    /// <summary>Writes <paramref name="error"/> for requests the endpoint never parsed (e.g. overload).</summary>
    public Task RejectAsync(HttpContext context, EgressError error) => _forwarder.WriteErrorAsync(context, error, serverName: null);
}
