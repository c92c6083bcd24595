using System.Net;
using FederationEgress.Testing.Hosting;
using FederationEgress.Testing.Tls;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace FederationEgress.Tests.Forwarding;

/// <summary>
/// Bodies are streamed, never buffered whole: each test only completes if the far side sees the
/// first part of a body before the near side has produced the rest.
/// </summary>
public sealed class StreamingTests(TestCaFixture fixture) : IClassFixture<TestCaFixture>
{
    private const int FirstPart = 64 * 1024;
    private static readonly TimeSpan SignalTimeout = TimeSpan.FromSeconds(20);

    private CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(HttpProtocols.Http1)]
    [InlineData(HttpProtocols.Http1AndHttp2)]
    public async Task RequestBody_FirstPartReachesRemoteBeforeClientSendsTheRest(HttpProtocols remoteProtocols)
    {
        var remoteSawFirstPart = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]), protocols: remoteProtocols);
        long received = 0;
        server.StreamingHandler = async context =>
        {
            var buffer = new byte[16 * 1024];
            int n;
            while ((n = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                received += n;
                if (received >= FirstPart)
                {
                    remoteSawFirstPart.TrySetResult();
                }
            }

            await context.Response.WriteAsync(received.ToString(System.Globalization.CultureInfo.InvariantCulture));
        };
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map(name, server.EndPoint);

        using var content = new StreamContent(new GatedStream(FirstPart, 2 * FirstPart, remoteSawFirstPart.Task.WaitAsync(SignalTimeout, Ct)));
        using var response = await proxy.SendAsync(HttpMethod.Put, $"/{name}/_matrix/federation/v1/send/stream", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((3 * FirstPart).ToString(System.Globalization.CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task ResponseBody_FirstPartReachesClientBeforeRemoteSendsTheRest()
    {
        var clientSawFirstPart = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TlsTestServer.StartAsync(fixture.Ca.IssueServerCertificate(["127.0.0.1"]));
        server.Handler = async context =>
        {
            await context.Response.Body.WriteAsync(new byte[FirstPart], context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await clientSawFirstPart.Task.WaitAsync(SignalTimeout, context.RequestAborted);
            await context.Response.Body.WriteAsync(new byte[FirstPart], context.RequestAborted);
        };
        var name = $"127.0.0.1:{server.Port}";
        await using var proxy = await TestProxy.StartAsync(settings: fixture.TrustSetting);
        proxy.Resolver.Map(name, server.EndPoint);

        using var response = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/media/v3/download/a/b");
        await using var body = await response.Content.ReadAsStreamAsync(Ct);
        var buffer = new byte[16 * 1024];
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, Ct)) > 0)
        {
            total += n;
            if (total >= FirstPart)
            {
                clientSawFirstPart.TrySetResult();
            }
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2 * FirstPart, total);
    }

    /// <summary>Produces <c>before</c> bytes, waits for <c>gate</c>, then produces <c>after</c> more (unknown length: chunked).</summary>
    private sealed class GatedStream(int before, int after, Task gate) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position == before)
            {
                await gate;
            }

            var end = _position < before ? before : before + after;
            var n = Math.Min(buffer.Length, end - _position);
            buffer.Span[..n].Fill(0x61);
            _position += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
