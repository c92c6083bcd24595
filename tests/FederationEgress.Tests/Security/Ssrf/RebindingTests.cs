using System.Net;
using FederationEgress.Dns.Protocol;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Fakes;
using FederationEgress.Testing.Hosting;
using FederationEgress.Testing.Time;
using FederationEgress.Testing.Tls;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.Tests.Security.Ssrf;

/// <summary>
/// DNS rebinding (C.7 BL-13): a name answers an allowed address, then, once the TTL has expired, a
/// denied one. The address policy is checked on the address actually dialled, so the second
/// request is refused at connect time and no socket reaches the inward address.
/// </summary>
public sealed class RebindingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Forward_NameRebindsInwardAfterTtl_SecondRequestRefusedAtConnect()
    {
        const string host = "rebind.ssrf.test";
        using var ca = new TestCertificateAuthority();
        var pem = ca.WritePemFile();
        try
        {
            var publicAddress = SsrfAddresses.NextPublic();
            var inwardAddress = SsrfAddresses.NextInward();
            await using var remote = await TlsTestServer.StartAsync(ca.IssueServerCertificate([host]), publicAddress);

            // The remote closes every connection, so the second request has to dial again.
            remote.Handler = context =>
            {
                context.Response.Headers.Connection = "close";
                return TlsTestServer.DefaultHandler(context);
            };
            using var canary = new CanaryListener(inwardAddress, remote.Port);
            await using var dns = ScriptedDnsServer.Start();
            dns.SetSoa("test", minimum: 30).AddA(host, publicAddress.ToString(), ttl: 30);
            var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
            await using var proxy = await RealStackProxy.StartAsync(
                dns,
                pem,
                [SsrfAddresses.PublicRange],
                builder => builder.Services.AddSingleton<TimeProvider>(time),
                "Forwarding:EnableHttp2=false");
            var name = $"{host}:{remote.Port}";

            using (var first = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version"))
            {
                Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            }

            dns.RemoveRecords(host, DnsRecordType.A).AddA(host, inwardAddress.ToString(), ttl: 30);
            time.Advance(TimeSpan.FromHours(2));
            var queriesBefore = dns.QueryCount(host, DnsRecordType.A);

            using var second = await proxy.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/version");

            Assert.Equal(HttpStatusCode.Forbidden, second.StatusCode);
            var body = await ErrorBody.OfAsync(second);
            Assert.Equal("address_denied", body.Reason);
            Assert.Contains(inwardAddress.ToString(), body.Error, StringComparison.Ordinal);
            Assert.True(dns.QueryCount(host, DnsRecordType.A) > queriesBefore, "the name was looked up again");
            Assert.Single(remote.Requests);
            Assert.Equal(0, canary.ConnectionCount);
            Assert.False(proxy.Dialer.Dialled(inwardAddress));
        }
        finally
        {
            File.Delete(pem);
        }
    }
}
