using System.Collections.Frozen;
using FederationEgress.Forwarding.Upstream;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Forwarder;

namespace FederationEgress.Forwarding;

/// <summary>
/// Shapes the outgoing request and the returned response. Unlike YARP's default transformer it adds
/// no X-Forwarded-*/Forwarded headers: the remote sees end-to-end headers only (Authorization
/// untouched), the spec's Host header, and the path and query bytes exactly as the homeserver sent them.
/// One shared instance; per-request data comes from <see cref="ForwardingRequestState"/>.
/// </summary>
internal sealed class EgressHttpTransformer : HttpTransformer
{
    private readonly FrozenSet<string> _strip;

    public EgressHttpTransformer(IOptions<ForwardingOptions> options)
    {
        _strip = options.Value.StripRequestHeaders.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }

    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        var state = httpContext.Features.GetRequiredFeature<ForwardingRequestState>();
        var headers = httpContext.Request.Headers;
        var connection = headers.Connection;
        var allowList = state.Profile.RequestHeaderAllowList;
        foreach (var (name, values) in headers)
        {
            if (HopByHopHeaders.IsRequestHopByHop(name)
                || (_strip.Count > 0 && _strip.Contains(name))
                || (allowList is not null && !allowList.Contains(name))
                || (connection.Count > 0 && HopByHopHeaders.IsListedIn(connection, name)))
            {
                continue;
            }

            AddHeader(proxyRequest, name, values);
        }

        // RFC 9112 §6.1: with Transfer-Encoding present, Content-Length must not be forwarded.
        if (headers.ContainsKey("Transfer-Encoding"))
        {
            proxyRequest.Content?.Headers.Remove("Content-Length");
        }

        // "TE: trailers" is the one TE value that is end-to-end meaningful (and allowed in HTTP/2).
        if (headers.TE.Count > 0 && HopByHopHeaders.IsListedIn(headers.TE, "trailers"))
        {
            proxyRequest.Headers.TryAddWithoutValidation("TE", "trailers");
        }

        proxyRequest.Headers.Host = state.Resolution.HostHeader;
        proxyRequest.RequestUri = state.RequestUri;
        proxyRequest.Options.Set(UpstreamRequestOptions.Resolution, state.Resolution);
        proxyRequest.Options.Set(UpstreamAttempt.Key, state.Attempt);
        return default;
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null)
        {
            return new ValueTask<bool>(false);
        }

        // Headers arrived: the destination answered, and from here on only the idle-body timeout applies.
        if (httpContext.Features.Get<ForwardingRequestState>() is { } state)
        {
            state.ResponseHeadersTimeout.CancelAfter(Timeout.InfiniteTimeSpan);
            state.ResponseArrived();
        }

        var target = httpContext.Response.Headers;
        var connection = proxyResponse.Headers.TryGetValues("Connection", out var c) ? new StringValues(c.ToArray()) : StringValues.Empty;
        Copy(proxyResponse.Headers, target, connection);
        Copy(proxyResponse.Content.Headers, target, connection);
        if (proxyResponse.Headers.TransferEncodingChunked == true || proxyResponse.Headers.Contains("Transfer-Encoding"))
        {
            target.ContentLength = null;
        }

        return new ValueTask<bool>(true);
    }

    public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken)
    {
        // Called once the response body was copied in full.
        httpContext.Features.Get<ForwardingRequestState>()?.ResponseBodyForwarded();
        return base.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken);
    }

    private static void Copy(System.Net.Http.Headers.HttpHeaders source, IHeaderDictionary target, StringValues connection)
    {
        foreach (var header in source.NonValidated)
        {
            var name = header.Key;
            if (HopByHopHeaders.Response.Contains(name) || (connection.Count > 0 && HopByHopHeaders.IsListedIn(connection, name)))
            {
                continue;
            }

            var values = header.Value;
            target[name] = values.Count == 1 ? new StringValues(values.ToString()) : new StringValues(values.ToArray());
        }
    }

    private static void AddHeader(HttpRequestMessage request, string name, StringValues values)
    {
        if (values.Count == 1)
        {
            var value = values.ToString();
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }

            return;
        }

        IEnumerable<string?> all = values;
        if (!request.Headers.TryAddWithoutValidation(name, all!))
        {
            request.Content?.Headers.TryAddWithoutValidation(name, all!);
        }
    }
}
