using System.Net;
using FederationEgress.Forwarding;
using FederationEgress.Testing.Hosting;
using FederationEgress.Testing.Tls;
using FederationEgress.Tests.Security;
using FederationEgress.Tests.Security.Ssrf;
using Microsoft.AspNetCore.Http;

namespace FederationEgress.Tests.Forwarding;

/// <summary>
/// A destination that answers over HTTP/2 without reading the whole request body (an early 401,
/// or a stream reset mid-upload): what the client gets and how it is reported.
/// </summary>
public sealed class EarlyAnswerTests(TestCaFixture fixture) : IClassFixture<TestCaFixture>
{
    private const int AccessLogEventId = 7010;
    private const int ResponseAbortedEventId = 4003;
    private const int AnsweredBeforeBodyEventId = 4004;

    // Larger than Kestrel's HTTP/2 stream window (768 KiB): the upload cannot finish unread.
    private static readonly byte[] Body = new byte[4 * 1024 * 1024];

    [Fact]
    public async Task Forward_Http2DestinationAnswersBeforeReadingBody_AnswerForwardedAndNotReportedAsBroken()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        server.StreamingHandler = static async context =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync("{\"errcode\":\"M_UNAUTHORIZED\"}");
        };
        var name = $"127.0.0.1:{server.Port}";
        var logs = new CapturingLoggerProvider();
        await using var proxy = await StartAsync(logs);
        proxy.Resolver.Map(name, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Put, $"/{name}/_matrix/federation/v1/send/1", new ByteArrayContent(Body));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("{\"errcode\":\"M_UNAUTHORIZED\"}", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var line = Assert.Single(await logs.WaitForAsync(AccessLogEventId));
        Assert.Matches($@" 401 in [0-9.]+ ms via {System.Text.RegularExpressions.Regex.Escape(server.EndPoint.ToString())} error -$", line);
        Assert.Single(await logs.WaitForAsync(AnsweredBeforeBodyEventId));
        Assert.DoesNotContain(logs.Entries, e => e.EventId == ResponseAbortedEventId);
    }

    [Fact]
    public async Task Forward_Http2DestinationResetsStreamDuringUpload_BadGatewayNotBlamedOnTheClient()
    {
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        server.StreamingHandler = static async context =>
        {
            // Part of the body, then RST_STREAM before any response: the destination gave up.
            var buffer = new byte[64 * 1024];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await context.Request.Body.ReadAsync(buffer.AsMemory(read), context.RequestAborted);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            context.Abort();
        };
        var name = $"127.0.0.1:{server.Port}";
        var logs = new CapturingLoggerProvider();
        await using var proxy = await StartAsync(logs);
        proxy.Resolver.Map(name, server.EndPoint);

        // Which side of the proxy notices first varies; every outcome must name the destination.
        for (var i = 0; i < 10; i++)
        {
            using var response = await proxy.SendAsync(HttpMethod.Put, $"/{name}/_matrix/federation/v1/send/{i}", new ByteArrayContent(Body));

            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            var error = ErrorBody.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal("upstream_protocol_error", error.Reason);
        }
    }

    private Task<TestProxy> StartAsync(CapturingLoggerProvider logs) =>
        TestProxy.StartAsync(
            resolver: null,
            policy: null,
            configure: builder => logs.AddTo(builder.Logging, typeof(EgressForwarder).FullName!),
            fixture.TrustSetting);
}
