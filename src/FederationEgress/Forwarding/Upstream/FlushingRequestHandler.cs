namespace FederationEgress.Forwarding.Upstream;

/// <summary>Makes request bodies stream to HTTP/2 remotes as they arrive (see <see cref="FlushingContent"/>).</summary>
internal sealed class FlushingRequestHandler : DelegatingHandler
{
    public FlushingRequestHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is { } content and not FlushingContent)
        {
            request.Content = new FlushingContent(content);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
