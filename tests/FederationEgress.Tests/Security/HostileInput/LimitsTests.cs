using System.Net;
using System.Net.Sockets;
using System.Text;
using FederationEgress.Tests.Security.Ssrf;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Hosting;
using FederationEgress.Testing.Time;
using FederationEgress.Testing.Tls;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.Tests.Security.HostileInput;

/// <summary>
/// Limits against slow or hostile peers, through the real app: slow-loris clients, remotes that
/// stall or lie about Content-Length, oversized and deeply nested well-known bodies, and the
/// per-destination concurrency cap. Bounded by hang guards only, never by timing assertions.
/// </summary>
public sealed class LimitsTests : IAsyncLifetime
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private readonly TestCertificateAuthority _ca = new();
    private ScriptedDnsServer _dns = null!;
    private string _pem = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _dns = ScriptedDnsServer.Start();
        _dns.SetSoa("test", minimum: 30);
        _pem = _ca.WritePemFile();
        return default;
    }

    public async ValueTask DisposeAsync()
    {
        await _dns.DisposeAsync();
        File.Delete(_pem);
        _ca.Dispose();
    }

    [Fact]
    public async Task SlowLorisClient_TricklingHeaders_IsDisconnectedAfterTheHeaderTimeout()
    {
        await using var proxy = await RealStackProxy.StartAsync(_dns, _pem, [SsrfAddresses.PublicRange], null, "Limits:RequestHeadersTimeoutSeconds=1");
        using var client = new TcpClient();
        await client.ConnectAsync(proxy.ForwardingEndPoint, Ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /slow.ssrf.test/_matrix/federation/v1/version HTTP/1.1\r\nHost: proxy\r\n"), Ct);
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        guard.CancelAfter(HangGuard);

        // Keep trickling header lines; the server must end the connection although bytes keep coming.
        var closed = false;
        var buffer = new byte[4096];
        for (var i = 0; !closed && !guard.IsCancellationRequested; i++)
        {
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"X-Slow-{i}: a\r\n"), guard.Token);
                var read = stream.ReadAsync(buffer, guard.Token).AsTask();
                if (await Task.WhenAny(read, Task.Delay(TimeSpan.FromMilliseconds(200), guard.Token)) == read)
                {
                    closed = true; // a response (408) or end of stream: either way the server gave up on us
                }
            }
            catch (IOException)
            {
                closed = true;
            }
        }

        Assert.True(closed, "the proxy kept a trickling client connected");
        Assert.Empty(_dns.Queries);
    }

    [Fact]
    public async Task RemoteStallsResponseHeaders_Is504AtTheConfiguredTime()
    {
        const string host = "stall.ssrf.test";
        var address = SsrfAddresses.NextPublic();
        await using var remote = await TlsTestServer.StartAsync(_ca.IssueServerCertificate([host]), address);
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        remote.Handler = async _ =>
        {
            received.TrySetResult();
            await release.Task;
        };
        _dns.AddA(host, address.ToString());
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = await RealStackProxy.StartAsync(
            _dns, _pem, [SsrfAddresses.PublicRange], b => b.Services.AddSingleton<TimeProvider>(time), "Forwarding:ResponseHeadersTimeoutSeconds=20");
        try
        {
            var pending = proxy.SendAsync(HttpMethod.Get, $"/{host}:{remote.Port}/_matrix/federation/v1/version");
            await received.Task.WaitAsync(HangGuard, Ct);
            time.Advance(TimeSpan.FromSeconds(19));
            Assert.False(pending.IsCompleted);
            time.Advance(TimeSpan.FromSeconds(2));

            using var response = await pending.WaitAsync(HangGuard, Ct);

            Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
            var body = await ErrorBody.OfAsync(response);
            Assert.Equal("timeout", body.Reason);
            Assert.Contains("20 s", body.Error, StringComparison.Ordinal);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task RemoteSendsShortBodyForContentLength_ClientSeesAnAbortedResponse()
    {
        const string host = "short-body.ssrf.test";
        var address = SsrfAddresses.NextPublic();
        await using var remote = await TlsTestServer.StartAsync(_ca.IssueServerCertificate([host]), address);
        remote.Handler = async context =>
        {
            context.Response.ContentLength = 100_000;
            await context.Response.Body.WriteAsync(new byte[10], context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            context.Abort(); // the connection ends with 99 990 bytes missing
        };
        _dns.AddA(host, address.ToString());
        await using var proxy = await RealStackProxy.StartAsync(_dns, _pem, [SsrfAddresses.PublicRange]);

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{host}:{remote.Port}/_matrix/federation/v1/version");

        // Whether the break is seen before or after the proxy started the response, the client must
        // never get a clean, complete-looking success: either a 502, or a 200 whose body read fails.
        if (response.StatusCode == HttpStatusCode.OK)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync(Ct).WaitAsync(HangGuard, Ct));
        }
        else
        {
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        }
    }

    [Theory]
    [InlineData("huge")]
    [InlineData("deeply-nested")]
    [InlineData("wrong-type")]
    public async Task WellKnownBodyHostile_IsInvalidAndDiscoveryFallsBack(string kind)
    {
        var host = $"wk-{kind}.ssrf.test";
        var address = SsrfAddresses.NextPublic();
        var certificate = _ca.IssueServerCertificate([host]);
        await using var wellKnown = await TlsTestServer.StartAsync(certificate, address, 443);
        await using var fallback = await TlsTestServer.StartAsync(certificate, address, 8448);
        var delegate_ = $"never-used.{host}";
        wellKnown.Handler = async context =>
        {
            context.Response.ContentType = "application/json";
            switch (kind)
            {
                case "huge":
                    // 20 MiB that would be a valid delegation if read to the end.
                    await context.Response.WriteAsync("{\"m.server\":\"" + delegate_ + "\",\"pad\":\"", context.RequestAborted);
                    var chunk = Encoding.ASCII.GetBytes(new string('a', 64 * 1024));
                    for (var i = 0; i < 320 && !context.RequestAborted.IsCancellationRequested; i++)
                    {
                        await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    }

                    await context.Response.WriteAsync("\"}", context.RequestAborted);
                    break;
                case "deeply-nested":
                    await context.Response.WriteAsync("{\"m.server\":\"" + delegate_ + "\",\"x\":" + new string('[', 20_000) + new string(']', 20_000) + "}", context.RequestAborted);
                    break;
                default:
                    await context.Response.WriteAsync("{\"m.server\":{\"host\":\"" + delegate_ + "\"}}", context.RequestAborted);
                    break;
            }
        };
        _dns.AddA(host, address.ToString()).AddA(delegate_, address.ToString());
        await using var proxy = await RealStackProxy.StartAsync(_dns, _pem, [SsrfAddresses.PublicRange]);

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{host}/_matrix/federation/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(fallback.Requests);
        Assert.Equal(host, seen.Host);
        Assert.Equal(0, _dns.QueryCount(delegate_));
    }

    [Fact]
    public async Task ConcurrentRequestsToOneDestination_OverTheLimit_Are503LimitExceeded()
    {
        const string busy = "busy.ssrf.test";
        const string other = "other.ssrf.test";
        var address = SsrfAddresses.NextPublic();
        await using var remote = await TlsTestServer.StartAsync(_ca.IssueServerCertificate([busy, other]), address);
        var arrived = 0;
        var secondArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        remote.Handler = async context =>
        {
            (Interlocked.Increment(ref arrived) == 1 ? firstArrived : secondArrived).TrySetResult();
            await release.Task;
            await TlsTestServer.DefaultHandler(context);
        };
        _dns.AddA(busy, address.ToString()).AddA(other, address.ToString());
        await using var proxy = await RealStackProxy.StartAsync(_dns, _pem, [SsrfAddresses.PublicRange], null, "Limits:MaxConcurrentRequestsPerDestination=1");
        try
        {
            var first = proxy.SendAsync(HttpMethod.Get, $"/{busy}:{remote.Port}/_matrix/federation/v1/version");
            await firstArrived.Task.WaitAsync(HangGuard, Ct);

            using var refused = await proxy.SendAsync(HttpMethod.Get, $"/{busy}:{remote.Port}/_matrix/federation/v1/version");
            var otherDestination = proxy.SendAsync(HttpMethod.Get, $"/{other}:{remote.Port}/_matrix/federation/v1/version");
            await secondArrived.Task.WaitAsync(HangGuard, Ct);
            release.TrySetResult();

            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            var body = await ErrorBody.OfAsync(refused);
            Assert.Equal("M_LIMIT_EXCEEDED", body.ErrCode);
            Assert.Contains(busy, body.Error, StringComparison.Ordinal);
            using var firstResponse = await first.WaitAsync(HangGuard, Ct);
            using var otherResponse = await otherDestination.WaitAsync(HangGuard, Ct);
            Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
            Assert.Equal(HttpStatusCode.OK, otherResponse.StatusCode);
            Assert.Equal(2, remote.Requests.Count);

            // The slot is given back: the destination is usable again.
            using var again = await proxy.SendAsync(HttpMethod.Get, $"/{busy}:{remote.Port}/_matrix/federation/v1/version");
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }
        finally
        {
            release.TrySetResult();
        }
    }
}
