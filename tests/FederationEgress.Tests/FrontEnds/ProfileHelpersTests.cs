using System.Text.Json;
using FederationEgress.Errors;
using FederationEgress.Forwarding;
using FederationEgress.FrontEnds;
using FederationEgress.FrontEnds.Synapse;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace FederationEgress.Tests.FrontEnds;

/// <summary>Helpers the forwarding endpoint uses for front-end profiles: failure bodies and Connection-nominated headers.</summary>
public sealed class ProfileHelpersTests
{
    [Fact]
    public async Task WriteAsync_SynapseProfile_502MUnknownWithProxyResourceText()
    {
        var profile = new SynapseForwardingProfile(Options.Create(new SynapseFrontEndOptions())).Profile;
        var context = new DefaultHttpContext();
        context.Request.Method = "PUT";
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = "/[::1]:8448/_matrix/federation/v1/send/1";
        context.Response.Body = new MemoryStream();

        await ProfileFailureWriter.WriteAsync(context, new EgressError(EgressErrorKind.TlsFailed, "tls", "certificate expired"), profile);

        Assert.Equal(502, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
        using var body = JsonDocument.Parse(((MemoryStream)context.Response.Body).ToArray());
        Assert.Equal("M_UNKNOWN", body.RootElement.GetProperty("errcode").GetString());
        Assert.Equal(
            "ProxyResource: Error when proxying request: PUT matrix-federation://[::1]:8448/_matrix/federation/v1/send/1 -> tls: certificate expired",
            body.RootElement.GetProperty("err").GetString());
        Assert.False(body.RootElement.TryGetProperty("error", out _));
        Assert.Equal(TimeSpan.FromSeconds(90), profile.ResponseHeadersTimeout);
    }

    [Fact]
    public async Task WriteAsync_PathMode_SameAsErrorMapper()
    {
        var context = new DefaultHttpContext { Response = { Body = new MemoryStream() } };

        await ProfileFailureWriter.WriteAsync(context, new EgressError(EgressErrorKind.AddressDenied, "connect", "10.0.0.1 is denied"), ForwardingProfile.PathMode);

        Assert.Equal(403, context.Response.StatusCode);
        Assert.Equal(
            """{"errcode":"M_FORBIDDEN","error":"connect: 10.0.0.1 is denied","reason":"address_denied"}""",
            System.Text.Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()));
    }

    [Fact]
    public void Remove_ConnectionNamesHeaders_ThoseHeadersGoneOthersKept()
    {
        // PX-04: Connection: close, X-fOo, X-Bar, X-baz
        using var response = new HttpResponseMessage { Content = new StringContent("{}") };
        response.Headers.TryAddWithoutValidation("Connection", "close, X-fOo, X-Bar, X-baz, Content-Language");
        response.Headers.TryAddWithoutValidation("X-Foo", "1");
        response.Headers.TryAddWithoutValidation("X-Bar", "2");
        response.Headers.TryAddWithoutValidation("x-baZ", "3");
        response.Headers.TryAddWithoutValidation("X-Test", "kept");
        response.Content.Headers.TryAddWithoutValidation("Content-Language", "en");

        ConnectionNominatedHeaders.Remove(response);

        Assert.Equal(["Connection", "X-Test"], response.Headers.Select(h => h.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["Content-Type"], response.Content.Headers.Select(h => h.Key));
    }
}
