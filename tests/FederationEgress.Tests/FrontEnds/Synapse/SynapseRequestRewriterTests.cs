using System.Buffers;
using System.Text;
using FederationEgress.FrontEnds.Synapse;
using FsCheck;
using FsCheck.Fluent;

namespace FederationEgress.Tests.FrontEnds.Synapse;

/// <summary>The rewriter on its own: output must not depend on how the stream is fragmented.</summary>
public sealed class SynapseRequestRewriterTests
{
    private const string Stream =
        "PUT matrix-federation://remote.example/_matrix/federation/v1/send/1 HTTP/1.1\r\nHost: remote.example:80\r\nContent-Length: 5\r\n\r\nhello" +
        "POST matrix-federation://[::1]:8448/a%2Fb?q=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\nT: v\r\n\r\n" +
        "\r\nGET matrix-federation://r.example HTTP/1.1\r\nHost: r\r\n\r\n";

    private const string Expected =
        "PUT /remote.example/_matrix/federation/v1/send/1 HTTP/1.1\r\nHost: remote.example:80\r\nContent-Length: 5\r\n\r\nhello" +
        "POST /[::1]:8448/a%2Fb?q=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" +
        "GET /r.example/ HTTP/1.1\r\nHost: r\r\n\r\n";

    private static (string Output, SynapseRequestRewriter Rewriter) Run(byte[] input, IEnumerable<int> cuts)
    {
        var rewriter = new SynapseRequestRewriter();
        var output = new ArrayBufferWriter<byte>();
        var pending = new List<byte>();
        var position = 0;
        foreach (var cut in cuts.Append(input.Length))
        {
            var end = Math.Clamp(cut, position, input.Length);
            pending.AddRange(input[position..end]);
            position = end;
            var buffer = new ReadOnlySequence<byte>(pending.ToArray());
            var ok = rewriter.Process(ref buffer, output);
            pending = [.. buffer.ToArray()];
            if (!ok)
            {
                break;
            }
        }

        return (Encoding.Latin1.GetString(output.WrittenSpan), rewriter);
    }

    [Fact]
    public void Process_WholeStream_RewritesHeadsAndCanonicalisesChunks()
    {
        var (output, rewriter) = Run(Encoding.Latin1.GetBytes(Stream), []);

        Assert.Equal(Expected, output);
        Assert.Equal(3, rewriter.RequestCount);
        Assert.True(rewriter.AtMessageBoundary);
    }

    [Fact]
    public void Process_AnyFragmentation_SameOutput()
    {
        var input = Encoding.Latin1.GetBytes(Stream);
        Prop.ForAll(
            Gen.Choose(0, input.Length).ArrayOf().ToArbitrary(),
            cuts => Run(input, cuts.Order()).Output == Expected)
            .QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Process_ByteAtATime_SameOutput()
    {
        var input = Encoding.Latin1.GetBytes(Stream);

        Assert.Equal(Expected, Run(input, Enumerable.Range(1, input.Length)).Output);
    }

    [Fact]
    public void Process_RejectionInHead_NothingOfThatHeadEmitted()
    {
        var input = Encoding.Latin1.GetBytes(
            "GET matrix-federation://ok.example/ HTTP/1.1\r\nHost: a\r\n\r\n" +
            "GET matrix-federation://bad.example/ HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy");

        var (output, rewriter) = Run(input, []);

        Assert.Equal("GET /ok.example/ HTTP/1.1\r\nHost: a\r\n\r\n", output);
        Assert.Equal("multiple differing Content-Length headers", rewriter.Error);
        Assert.True(rewriter.ErrorAtMessageBoundary);
    }

    [Fact]
    public void Process_BadChunkSize_RejectedMidBody()
    {
        var input = Encoding.Latin1.GetBytes("POST matrix-federation://a.example/ HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n");

        var (_, rewriter) = Run(input, []);

        Assert.Equal("invalid chunk size", rewriter.Error);
        Assert.False(rewriter.ErrorAtMessageBoundary);
    }

    [Theory]
    [InlineData("/remote.example/_matrix/x?y=1", "matrix-federation://remote.example/_matrix/x?y=1")]
    [InlineData("/[::1]:8448/_matrix/x", "matrix-federation://[::1]:8448/_matrix/x")]
    [InlineData("/a%25b/x", "matrix-federation://a%b/x")]
    [InlineData("/r.example", "matrix-federation://r.example")]
    public void ToOriginalUri_RewrittenTarget_RoundTrips(string rewritten, string original)
    {
        Assert.Equal(original, SynapseForwardingProfile.ToOriginalUri(rewritten));
    }

    [Fact]
    public void FormatFailure_DnsError_SynapseProxyResourceText()
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Method = "PUT";
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget = "/remote.example/_matrix/federation/v1/send/1";

        var text = SynapseForwardingProfile.FormatFailure(context, new FederationEgress.Errors.EgressError(FederationEgress.Errors.EgressErrorKind.DnsFailed, "dns", "SERVFAIL for remote.example"));

        Assert.Equal("ProxyResource: Error when proxying request: PUT matrix-federation://remote.example/_matrix/federation/v1/send/1 -> dns: SERVFAIL for remote.example", text);
    }
}
