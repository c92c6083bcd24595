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

        await EgressErrorMapper.WriteAsync(context, new EgressError(EgressErrorKind.TlsFailed, "tls", "certificate expired"), profile);

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
    public async Task WriteAsync_PathMode_MappedStatusAndErrorKey()
    {
        var context = new DefaultHttpContext { Response = { Body = new MemoryStream() } };

        await EgressErrorMapper.WriteAsync(context, new EgressError(EgressErrorKind.AddressDenied, "connect", "10.0.0.1 is denied"), ForwardingProfile.PathMode);

        Assert.Equal(403, context.Response.StatusCode);
        Assert.Equal(
            """{"errcode":"M_FORBIDDEN","error":"connect: 10.0.0.1 is denied","reason":"address_denied"}""",
            System.Text.Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()));
    }
}
