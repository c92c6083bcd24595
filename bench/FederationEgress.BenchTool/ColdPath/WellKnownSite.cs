using System.Net;
using FederationEgress.Testing.Tls;
using Microsoft.AspNetCore.Http;

namespace FederationEgress.BenchTool.ColdPath;

/// <summary>
/// The HTTPS server every bench.test name's A record points at (port 443, wildcard certificate):
/// answers <c>/.well-known/matrix/server</c> from a lookup function (null = 404).
/// </summary>
internal static class WellKnownSite
{
    public static async Task<TlsTestServer> StartAsync(TestCertificateAuthority ca, IPAddress address, Func<string, string?> wellKnownFor)
    {
        var certificate = ca.IssueServerCertificate(["*.bench.test", "bench.test"]);
        var server = await TlsTestServer.StartAsync(certificate, address, 443);
        server.Handler = context =>
        {
            var body = context.Request.Path == "/.well-known/matrix/server" ? wellKnownFor(context.Request.Host.Host) : null;
            context.Response.ContentType = "application/json";
            if (body is null)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return context.Response.WriteAsync("{\"errcode\":\"M_NOT_FOUND\"}");
            }

            return context.Response.WriteAsync(body);
        };
        return server;
    }
}
