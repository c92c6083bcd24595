using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using FederationEgress.Diagnostics;
using FederationEgress.Discovery;
using FederationEgress.ServerNames;
using FederationEgress.Testing.Otlp;
using FederationEgress.Testing.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FederationEgress.Tests.Diagnostics;

/// <summary>
/// A homeserver's request through a stand-in for the proxy: incoming span (ASP.NET Core), resolution
/// span with a step child (the proxy's ActivitySource), outgoing HTTPS request (HttpClient) to a
/// loopback "remote server". All must land in the homeserver's trace.
/// </summary>
public sealed class TraceContinuityTests
{
    private const string RemoteName = "remote.test";

    [Fact]
    public async Task Request_WithTraceparent_IncomingResolutionAndOutgoingSpansInOneTrace()
    {
        await using var fixture = await Fixture.StartAsync(propagate: false);
        var ids = TraceIds.New();

        await fixture.SendAsync(ids);

        var spans = await fixture.Receiver.WaitForSpansAsync(all =>
            all.Count(s => s.TraceId == ids.TraceId && s.Kind == OtlpSpanKind.Client) >= 1
            && all.Any(s => s.TraceId == ids.TraceId && s.Kind == OtlpSpanKind.Server)
            && all.Any(s => s.TraceId == ids.TraceId && s.Name == EgressSpanNames.WellKnown));
        var trace = spans.Where(s => s.TraceId == ids.TraceId).ToList();

        var incoming = Assert.Single(trace, s => s.Kind == OtlpSpanKind.Server);
        Assert.Equal(EgressSpanNames.AspNetCoreSource, incoming.ScopeName);
        Assert.Equal(ids.ParentSpanId, incoming.ParentSpanId);
        Assert.Equal("PUT /{serverName}/{**rest}", incoming.Name);
        Assert.Equal("PUT", incoming.Attribute(EgressTagNames.HttpRequestMethod));
        Assert.Equal("/{serverName}/{**rest}", incoming.Attribute("http.route"));
        Assert.Equal(200L, incoming.Attribute(EgressTagNames.HttpResponseStatusCode));
        Assert.Equal(OtlpStatusCode.Unset, incoming.StatusCode);

        var resolve = Assert.Single(trace, s => s.Name == EgressSpanNames.Resolve);
        Assert.Equal(incoming.SpanId, resolve.ParentSpanId);
        Assert.Equal(OtlpSpanKind.Internal, resolve.Kind);

        var wellKnown = Assert.Single(trace, s => s.Name == EgressSpanNames.WellKnown);
        Assert.Equal(resolve.SpanId, wellKnown.ParentSpanId);

        var outgoing = Assert.Single(trace, s => s.Kind == OtlpSpanKind.Client);
        Assert.Equal(EgressSpanNames.HttpClientSource, outgoing.ScopeName);
        Assert.Equal(incoming.SpanId, outgoing.ParentSpanId);
        Assert.Equal("PUT", outgoing.Attribute(EgressTagNames.HttpRequestMethod));
        Assert.Equal(200L, outgoing.Attribute(EgressTagNames.HttpResponseStatusCode));
        Assert.Equal(RemoteName, outgoing.Attribute(EgressTagNames.ServerAddress));
    }

    [Fact]
    public async Task Request_ResolutionSpan_CarriesDocumentedMatrixAttributes()
    {
        await using var fixture = await Fixture.StartAsync(propagate: false);
        var ids = TraceIds.New();

        await fixture.SendAsync(ids);

        var resolve = await fixture.Receiver.WaitForSpanAsync(EgressSpanNames.Resolve, ids.TraceId);
        Assert.Equal("example.org", resolve.Attribute(EgressTagNames.ServerName));
        Assert.Equal("well_known_srv", resolve.Attribute(EgressTagNames.DiscoveryStep));
        Assert.Equal(RemoteName, resolve.Attribute(EgressTagNames.DelegatedName));
        Assert.Equal(RemoteName, resolve.Attribute(EgressTagNames.HostHeader));
        Assert.Equal(RemoteName, resolve.Attribute(EgressTagNames.TlsName));
        Assert.Equal(EgressTagValues.CacheMiss, resolve.Attribute(EgressTagNames.Cache));
        var endpoints = Assert.IsType<object?[]>(resolve.Attribute(EgressTagNames.Endpoints));
        Assert.Equal([fixture.Remote.EndPoint.ToString()], endpoints);
    }

    [Fact]
    public async Task Request_PropagationOff_RemoteServerSeesNoTracingHeaders()
    {
        await using var fixture = await Fixture.StartAsync(propagate: false);
        var ids = TraceIds.New();

        await fixture.SendAsync(ids);

        var seen = Assert.Single(fixture.Remote.Requests);
        Assert.False(seen.Headers.ContainsKey("traceparent"));
        Assert.False(seen.Headers.ContainsKey("tracestate"));
        Assert.DoesNotContain(ids.TraceId, string.Join(" ", seen.Headers.Values));
    }

    [Fact]
    public async Task Request_PropagationOn_RemoteServerSeesProxyOutgoingSpanAsParent()
    {
        await using var fixture = await Fixture.StartAsync(propagate: true);
        var ids = TraceIds.New();

        await fixture.SendAsync(ids);

        var outgoing = await fixture.Receiver.WaitForSpanAsync(s => s.TraceId == ids.TraceId && s.Kind == OtlpSpanKind.Client);
        var seen = Assert.Single(fixture.Remote.Requests);
        Assert.Equal($"00-{ids.TraceId}-{outgoing.SpanId}-01", seen.Headers["traceparent"]);
    }

    [Fact]
    public async Task Request_WithoutTraceparent_ProxyStartsItsOwnTrace()
    {
        await using var fixture = await Fixture.StartAsync(propagate: false);

        using var client = fixture.Host.CreateClient();
        var marker = Guid.NewGuid().ToString("N");
        using var response = await client.PutAsync($"/example.org/_matrix/federation/v1/send/{marker}", new StringContent("{}"), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();

        var incoming = await fixture.Receiver.WaitForSpanAsync(s =>
            s.Kind == OtlpSpanKind.Server && s.ScopeName == EgressSpanNames.AspNetCoreSource
            && fixture.Receiver.Spans.Any(r => r.TraceId == s.TraceId && r.Name == EgressSpanNames.Resolve && Equals(r.Attribute("test.marker"), marker)));
        Assert.Null(incoming.ParentSpanId);
    }

    /// <summary>The proxy stand-in, its remote server and the collector.</summary>
    private sealed class Fixture : IAsyncDisposable
    {
        private readonly TestCertificateAuthority _ca;

        private Fixture(TestCertificateAuthority ca, OtlpReceiver receiver, TlsTestServer remote, TelemetryTestHost host)
        {
            _ca = ca;
            Receiver = receiver;
            Remote = remote;
            Host = host;
        }

        public OtlpReceiver Receiver { get; }

        public TlsTestServer Remote { get; }

        public TelemetryTestHost Host { get; }

        public static async Task<Fixture> StartAsync(bool propagate)
        {
            var ca = new TestCertificateAuthority();
            var receiver = await OtlpReceiver.StartAsync();
            var remote = await TlsTestServer.StartAsync(ca.IssueServerCertificate([RemoteName]), IPAddress.Loopback);
            var configuration = TelemetryTestHost.FastExport(receiver.HttpEndpoint, "http/protobuf");
            configuration["Telemetry:PropagateTraceContext"] = propagate ? "true" : "false";
            var host = await TelemetryTestHost.StartAsync(
                configuration,
                app => app.MapMethods("/{serverName}/{**rest}", ["GET", "PUT"], (HttpContext context, string serverName, string rest, HttpMessageInvoker upstream) =>
                    ForwardAsync(context, serverName, rest, remote.EndPoint, upstream)),
                services => services.AddSingleton(sp =>
                {
                    var options = sp.GetRequiredService<IOptions<EgressTelemetryOptions>>().Value;
                    var handler = new SocketsHttpHandler
                    {
                        UseProxy = false,
                        // Dial the resolved endpoint whatever the URI host says, like the upstream handler factory.
                        ConnectCallback = async (_, ct) =>
                        {
                            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                            await socket.ConnectAsync(remote.EndPoint, ct);
                            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                        },
                        SslOptions = new SslClientAuthenticationOptions
                        {
                            RemoteCertificateValidationCallback = (_, certificate, _, _) => ChainsTo(certificate, ca.Certificate),
                        },
                    }.ApplyTracePropagation(options);
                    return new HttpMessageInvoker(handler);
                }));
            return new Fixture(ca, receiver, remote, host);
        }

        public async Task SendAsync(TraceIds ids)
        {
            using var client = Host.CreateClient();
            using var request = new HttpRequestMessage(HttpMethod.Put, "/example.org/_matrix/federation/v1/send/1") { Content = new StringContent("{}") };
            request.Headers.TryAddWithoutValidation("traceparent", ids.TraceParent);
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            response.EnsureSuccessStatusCode();
        }

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await Remote.DisposeAsync();
            await Receiver.DisposeAsync();
            _ca.Dispose();
        }

        private static async Task ForwardAsync(HttpContext context, string serverName, string rest, IPEndPoint remote, HttpMessageInvoker upstream)
        {
            using (var resolve = EgressTelemetry.ActivitySource.StartActivity(EgressSpanNames.Resolve))
            {
                resolve.SetCacheOutcome(EgressTagValues.CacheMiss);
                resolve?.SetTag("test.marker", rest.Split('/').Last());
                using (var wellKnown = EgressTelemetry.ActivitySource.StartActivity(EgressSpanNames.WellKnown))
                {
                    wellKnown?.SetTag(EgressTagNames.ServerAddress, serverName);
                }

                resolve.SetResolution(new Resolution(
                    ServerName.Parse(serverName),
                    DiscoveryStep.WellKnownSrv,
                    [new ResolvedEndpoint(remote, RemoteName)],
                    hostHeader: RemoteName,
                    tlsName: RemoteName,
                    delegatedName: RemoteName));
            }

            using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), $"https://{RemoteName}/{rest}");
            if (context.Request.ContentLength is > 0)
            {
                request.Content = new StreamContent(context.Request.Body);
            }

            using var response = await upstream.SendAsync(request, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }

        private static bool ChainsTo(X509Certificate? certificate, X509Certificate2 root)
        {
            if (certificate is null)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(root);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        }
    }
}
