using System.Net;
using System.Reflection;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using FederationEgress.Errors;
using FederationEgress.Forwarding;
using FederationEgress.ServerNames;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FederationEgress.Discovery.WellKnown;

/// <summary>
/// Fetches <c>https://&lt;host&gt;/.well-known/matrix/server</c> through the well-known upstream
/// handler (so the egress IP policy and the TLS policy apply to every connection, redirects
/// included) and classifies the answer. Never throws for remote failures: they are results.
/// </summary>
internal sealed partial class WellKnownFetcher
{
    /// <summary>The path fetched on port 443 of the server name.</summary>
    public const string Path = "/.well-known/matrix/server";

    /// <summary>User-Agent sent with every fetch: <c>FederationEgress/&lt;version&gt;</c>.</summary>
    public static readonly string UserAgent = "FederationEgress/" + ProductVersion();

    private const int ReadChunkBytes = 8 * 1024;

    private readonly IUpstreamHandlerFactory _handlers;
    private readonly DiscoveryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public WellKnownFetcher(IUpstreamHandlerFactory handlers, IOptions<DiscoveryOptions> options, TimeProvider time, ILogger<WellKnownFetcher> logger)
    {
        _handlers = handlers;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>The well-known URL for a (lower-case, port-less) DNS host.</summary>
    public static string UrlFor(string host) => "https://" + host + Path;

    /// <summary>
    /// Fetches the well-known document for <paramref name="host"/>. With <paramref name="retry"/>,
    /// retryable failures (connect/TLS errors, 5xx) are attempted up to WellKnownRetryAttempts
    /// times; the whole fetch, retries included, is bounded by WellKnownTimeoutSeconds.
    /// </summary>
    public async Task<WellKnownFetchResult> FetchAsync(string host, bool retry, CancellationToken cancellationToken)
    {
        var url = UrlFor(host);
        var attempts = retry ? _options.WellKnownRetryAttempts : 1;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.WellKnownTimeoutSeconds), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        for (var attempt = 1; ; attempt++)
        {
            WellKnownFetchResult result;
            try
            {
                Log.Fetching(_logger, url, attempt);
                result = await FetchOnceAsync(url, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                result = Failure(url, WellKnownFailure.Timeout, null, $"no answer within {_options.WellKnownTimeoutSeconds} s", []);
            }

            result = result with { Attempts = attempt };
            if (!result.IsRetryable || attempt >= attempts)
            {
                Log.Fetched(_logger, url, result.OutcomeName, result.Message);
                return result;
            }

            Log.Retrying(_logger, url, result.Message, attempt, attempts);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(_options.WellKnownRetryDelayMilliseconds), _time, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return result;
            }
        }
    }

    private async Task<WellKnownFetchResult> FetchOnceAsync(string url, CancellationToken cancellationToken)
    {
        var invoker = _handlers.GetInvoker(UpstreamHandlerKind.WellKnown);
        var current = new Uri(url);
        var visited = new HashSet<string>(StringComparer.Ordinal) { current.AbsoluteUri };
        var redirects = new List<string>();
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, current)
            {
                Version = HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            };
            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);

            // One request per host every few hours: a pooled connection would sit idle for the
            // pool's idle timeout, and a burst of new names (joining a large room) would hold
            // thousands of idle TLS connections and leave their TIME_WAIT ports on our side.
            request.Headers.ConnectionClose = true;

            HttpResponseMessage response;
            try
            {
                response = await invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var failure = IsTls(ex) ? WellKnownFailure.TlsError : WellKnownFailure.ConnectError;
                return Failure(url, failure, null, $"{current.AbsoluteUri}: {Describe(ex)}", redirects);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The handler's own connect/response timeout, not ours.
                return Failure(url, WellKnownFailure.Timeout, null, $"{current.AbsoluteUri}: the upstream handler timed out", redirects);
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (status is 301 or 302 or 303 or 307 or 308)
                {
                    // 303 means "GET the Location", which is what every hop does anyway.
                    var location = response.Headers.Location;
                    if (location is null)
                    {
                        return Failure(url, WellKnownFailure.InvalidRedirect, status, $"{status} redirect without a Location header", redirects);
                    }

                    var next = location.IsAbsoluteUri ? location : new Uri(current, location);
                    if (next.Scheme != Uri.UriSchemeHttps)
                    {
                        return Failure(url, WellKnownFailure.InvalidRedirect, status, $"redirect to non-https URL {next.AbsoluteUri}", redirects);
                    }

                    if (redirects.Count >= _options.WellKnownMaxRedirects)
                    {
                        return Failure(url, WellKnownFailure.TooManyRedirects, status, $"more than {_options.WellKnownMaxRedirects} redirects", redirects);
                    }

                    if (!visited.Add(next.AbsoluteUri))
                    {
                        redirects.Add(next.AbsoluteUri);
                        return Failure(url, WellKnownFailure.RedirectLoop, status, $"redirect loop back to {next.AbsoluteUri}", redirects);
                    }

                    redirects.Add(next.AbsoluteUri);
                    Log.Redirected(_logger, url, status, next.AbsoluteUri);
                    current = next;
                    continue;
                }

                if (status >= 500)
                {
                    return Failure(url, WellKnownFailure.ServerError, status, $"HTTP {status}", redirects);
                }

                if (status != 200)
                {
                    return Failure(url, WellKnownFailure.HttpStatus, status, $"HTTP {status}", redirects);
                }

                byte[]? body;
                try
                {
                    body = await ReadCappedAsync(response, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or IOException)
                {
                    return Failure(url, WellKnownFailure.ConnectError, status, "body read failed: " + Describe(e), redirects);
                }

                if (body is null)
                {
                    return Failure(url, WellKnownFailure.TooLarge, status, $"body larger than {_options.WellKnownMaxBodyBytes} bytes", redirects);
                }

                IEnumerable<string>? cacheControl = response.Headers.NonValidated.TryGetValues("Cache-Control", out var cc) ? cc : null;
                var expires = response.Content.Headers.NonValidated.TryGetValues("Expires", out var ex) ? ex.LastOrDefault() : null;
                var period = CachePeriodParser.FromHeaders(cacheControl, expires, _time.GetUtcNow());
                var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, WellKnownFetchResult.ReportedBodyChars));
                return Parse(url, body, period, redirects) with
                {
                    Body = text.Length > WellKnownFetchResult.ReportedBodyChars ? text[..WellKnownFetchResult.ReportedBodyChars] : text,
                    CacheControl = cacheControl is null ? null : string.Join(", ", cacheControl),
                    Expires = expires,
                };
            }
        }
    }

    /// <summary>Classifies a 200 body (pure; exposed for table tests).</summary>
    internal static WellKnownFetchResult Parse(string url, ReadOnlyMemory<byte> body, TimeSpan? period, IReadOnlyList<string> redirects)
    {
        // Tolerate a UTF-8 byte-order mark, as browsers and most JSON readers do.
        if (body.Span.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return Failure(url, WellKnownFailure.InvalidJson, 200, "body is not JSON: " + e.Message, redirects);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Failure(url, WellKnownFailure.NotAnObject, 200, $"body is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object", redirects);
            }

            if (!root.TryGetProperty("m.server", out var value))
            {
                return Failure(url, WellKnownFailure.MissingServer, 200, "m.server is missing", redirects);
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                return Failure(url, WellKnownFailure.InvalidServer, 200, $"m.server is a JSON {value.ValueKind.ToString().ToLowerInvariant()}, not a string", redirects);
            }

            var text = value.GetString()!;
            if (text.Length == 0)
            {
                return Failure(url, WellKnownFailure.MissingServer, 200, "m.server is empty", redirects);
            }

            // The grammar is ASCII; an IDNA conversion here would accept what the spec forbids.
            if (!Ascii.IsValid(text))
            {
                return Failure(url, WellKnownFailure.InvalidServer, 200, "m.server contains non-ASCII characters", redirects);
            }

            if (!ServerNameParser.TryParse(text, out var delegation, out var error))
            {
                return Failure(url, WellKnownFailure.InvalidServer, 200, $"m.server \"{text}\" is not a server name: {error}", redirects);
            }

            return new WellKnownFetchResult(WellKnownOutcome.Valid, WellKnownFailure.None, url, delegation, 200, period, "m.server " + text, redirects);
        }
    }

    private static WellKnownFetchResult Failure(string url, WellKnownFailure failure, int? status, string message, IReadOnlyList<string> redirects)
    {
        var outcome = failure switch
        {
            WellKnownFailure.HttpStatus or WellKnownFailure.InvalidJson or WellKnownFailure.NotAnObject
                or WellKnownFailure.MissingServer or WellKnownFailure.InvalidServer or WellKnownFailure.InvalidRedirect => WellKnownOutcome.PermanentFailure,
            _ => WellKnownOutcome.TemporaryFailure,
        };
        return new WellKnownFetchResult(outcome, failure, url, null, status, null, message, redirects.ToArray());
    }

    private async Task<byte[]?> ReadCappedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var max = _options.WellKnownMaxBodyBytes;
        if (response.Content.Headers.ContentLength is long declared && declared > max)
        {
            return null;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[Math.Min(ReadChunkBytes, max + 1)];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }
    }

    private static bool IsTls(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException || (e is EgressException egress && egress.Error.Kind == EgressErrorKind.TlsFailed))
            {
                return true;
            }
        }

        return false;
    }

    private static string Describe(Exception ex)
    {
        // The innermost egress error or socket/TLS reason says most; HttpRequestException wraps it.
        var parts = new List<string>();
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is EgressException egress)
            {
                return egress.Error.ToString();
            }

            parts.Add(e.Message);
        }

        return string.Join(" → ", parts.Distinct());
    }

    private static string ProductVersion()
    {
        var assembly = typeof(WellKnownFetcher).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var version = informational ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
        var plus = version.IndexOf('+');
        return plus >= 0 ? version[..plus] : version;
    }

    private static partial class Log
    {
        [LoggerMessage(2010, LogLevel.Debug, "Fetching {Url} (attempt {Attempt})")]
        public static partial void Fetching(ILogger logger, string url, int attempt);

        [LoggerMessage(2011, LogLevel.Debug, "Well-known {Url} redirected ({Status}) to {Location}")]
        public static partial void Redirected(ILogger logger, string url, int status, string location);

        [LoggerMessage(2012, LogLevel.Information, "Well-known {Url} failed ({Reason}); attempt {Attempt} of {Attempts}, retrying")]
        public static partial void Retrying(ILogger logger, string url, string reason, int attempt, int attempts);

        [LoggerMessage(2013, LogLevel.Debug, "Well-known {Url}: {Outcome} ({Reason})")]
        public static partial void Fetched(ILogger logger, string url, string outcome, string reason);
    }
}
