using System.Net;
using BenchmarkDotNet.Attributes;
using FederationEgress.Discovery;
using FederationEgress.Forwarding;
using FederationEgress.Forwarding.Upstream;
using FederationEgress.ServerNames;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FederationEgress.Benchmarks.Forwarding;

/// <summary>
/// Per-request work of the forwarding hot path besides discovery: parsing the request target and
/// the header transforms in both directions, with a homeserver's typical headers. The request
/// benchmarks allocate the outgoing message like YARP does; <see cref="NewRequestMessage"/> is that
/// cost alone, so the difference is the transform's own.
/// </summary>
[MemoryDiagnoser]
public class TransformBenchmarks
{
    private const string RawTarget = "/matrix.example.org/_matrix/federation/v1/send/1700000000000";
    private readonly EgressHttpTransformer _transformer = new(Options.Create(new ForwardingOptions()));
    private DefaultHttpContext _context = null!;
    private HttpResponseMessage _upstreamResponse = null!;

    [GlobalSetup]
    public void Setup()
    {
        if (!ServerNameParser.TryParse("matrix.example.org", out var name, out var error))
        {
            throw new InvalidOperationException(error);
        }

        var resolution = new Resolution(
            name,
            DiscoveryStep.Srv,
            [new ResolvedEndpoint(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 8448), "a.example.org")],
            "matrix.example.org",
            "matrix.example.org");
        _context = new DefaultHttpContext();
        var headers = _context.Request.Headers;
        headers.Host = "127.0.0.1:8009";
        headers.Authorization = "X-Matrix origin=\"origin.example\",destination=\"matrix.example.org\",key=\"ed25519:a_Abcd\",sig=\"dGhpcyBpcyBhIHNpZ25hdHVyZSBvZiBhYm91dCA4NiBjaGFyYWN0ZXJzIGxvbmcsIGxpa2UgYSByZWFsIG9uZQ\"";
        headers.ContentType = "application/json";
        headers.ContentLength = 16_384;
        headers.UserAgent = "Synapse/1.120.0";
        headers.AcceptEncoding = "gzip";
        headers.Connection = "keep-alive";
        _context.Features.Set(new ForwardingRequestState(
            resolution,
            new Uri("https://matrix.example.org/_matrix/federation/v1/send/1700000000000"),
            new UpstreamAttempt(resolution),
            ForwardingProfile.PathMode,
            new CancellationTokenSource()));

        _upstreamResponse = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) };
        _upstreamResponse.Headers.TryAddWithoutValidation("Server", "Synapse/1.120.0");
        _upstreamResponse.Headers.TryAddWithoutValidation("Date", "Sun, 22 Nov 2026 00:00:00 GMT");
        _upstreamResponse.Headers.TryAddWithoutValidation("Cache-Control", "no-cache, no-store, must-revalidate");
        _upstreamResponse.Headers.TryAddWithoutValidation("Connection", "keep-alive");
        _upstreamResponse.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        _upstreamResponse.Content.Headers.TryAddWithoutValidation("Content-Length", "11");
    }

    [Benchmark]
    public RequestTarget ParseRequestTarget() =>
        RequestTargetParser.TryParse(RawTarget, out var target, out var error) ? target : throw new InvalidOperationException(error.Message);

    [Benchmark]
    public HttpRequestMessage NewRequestMessage() => new() { Content = new ByteArrayContent([]) };

    [Benchmark]
    public HttpRequestMessage TransformRequest()
    {
        var message = new HttpRequestMessage { Content = new ByteArrayContent([]) };
        _ = _transformer.TransformRequestAsync(_context, message, string.Empty, CancellationToken.None);
        return message;
    }

    [Benchmark]
    public bool TransformResponse()
    {
        _context.Response.Headers.Clear();
        return _transformer.TransformResponseAsync(_context, _upstreamResponse, CancellationToken.None).Result;
    }
}
