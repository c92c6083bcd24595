using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using FederationEgress.Errors;
using FederationEgress.Security.Tls;
using FederationEgress.Testing.Tls;

namespace FederationEgress.Tests.Security.Tls;

/// <summary>Real SslStream handshakes over loopback, judged by the TLS policy (C.8, IP-05, IP-06).</summary>
public sealed class TlsPolicyHandshakeTests : IDisposable
{
    private const string Name = "fed.test-egress.example";

    private readonly TestCertificateAuthority _ca = new("Egress Security Test CA");
    private readonly List<string> _files = [];

    public void Dispose()
    {
        _ca.Dispose();
        foreach (var file in _files)
        {
            File.Delete(file);
        }
    }

    private ITlsPolicy Policy(bool trustTestCa = true, string minimumVersion = "1.2", params string[] skip)
    {
        var settings = new Dictionary<string, string?> { ["Tls:MinimumVersion"] = minimumVersion };
        if (trustTestCa)
        {
            var file = _ca.WritePemFile();
            _files.Add(file);
            settings["Tls:ExtraCaFiles:0"] = file;
        }

        for (var i = 0; i < skip.Length; i++)
        {
            settings[$"Tls:SkipVerification:{i}"] = skip[i];
        }

        return SecurityTestHost.Get<ITlsPolicy>(settings);
    }

    private static async Task<HandshakeResult> HandshakeAsync(ITlsPolicy policy, HandshakeServer server, string tlsName)
    {
        using var tcp = new TcpClient(server.EndPoint.AddressFamily);
        await tcp.ConnectAsync(server.EndPoint, TestContext.Current.CancellationToken);
        try
        {
            await using var ssl = await policy.AuthenticateAsClientAsync(tcp.GetStream(), tlsName, server.EndPoint.Address, null, TestContext.Current.CancellationToken);
            return new HandshakeResult(true, string.Empty, ssl.SslProtocol);
        }
        catch (EgressException e)
        {
            Assert.Equal(EgressErrorKind.TlsFailed, e.Error.Kind);
            Assert.Equal("tls", e.Error.Step);
            return new HandshakeResult(false, e.Error.Message, SslProtocols.None);
        }
    }

    [Fact]
    public async Task Handshake_ValidCertificateForName_SucceedsWithSni()
    {
        await using var server = HandshakeServer.Start(IPAddress.Loopback, _ca.IssueServerCertificate([Name]));

        var result = await HandshakeAsync(Policy(), server, Name);

        Assert.True(result.Ok, result.Reason);
        Assert.Equal([Name], server.ServerNames);
    }

    [Fact]
    public async Task Handshake_WrongName_FailsNamingTheName()
    {
        await using var server = HandshakeServer.Start(IPAddress.Loopback, _ca.IssueServerCertificate(["other.test-egress.example"]));

        var result = await HandshakeAsync(Policy(), server, Name);

        Assert.False(result.Ok);
        Assert.Contains($"certificate is not valid for name {Name}", result.Reason);
        Assert.Contains($"TLS handshake with {Name} at 127.0.0.1 failed", result.Reason);
        Assert.DoesNotContain("trusted root", result.Reason);
    }

    [Fact]
    public async Task Handshake_UntrustedCa_FailsUnlessExtraCaConfigured()
    {
        await using var server = HandshakeServer.Start(IPAddress.Loopback, _ca.IssueServerCertificate([Name]));

        var untrusted = await HandshakeAsync(Policy(trustTestCa: false), server, Name);
        var trusted = await HandshakeAsync(Policy(trustTestCa: true), server, Name);

        Assert.False(untrusted.Ok);
        Assert.Contains("certificate chain does not lead to a trusted root (issuer 'CN=Egress Security Test CA')", untrusted.Reason);
        Assert.DoesNotContain("not valid for name", untrusted.Reason);
        Assert.True(trusted.Ok, trusted.Reason);
    }

    [Fact]
    public async Task Handshake_CaInsideMultiCertificateBundle_Trusted()
    {
        using var first = new TestCertificateAuthority("Bundle CA 1");
        using var second = new TestCertificateAuthority("Bundle CA 2");
        var bundle = Path.Combine(Path.GetTempPath(), $"fe-bundle-{Guid.NewGuid():N}.pem");
        _files.Add(bundle);
        File.WriteAllText(bundle, "# operator bundle\n" + first.ExportPem() + "\n" + second.ExportPem());
        var policy = SecurityTestHost.Get<ITlsPolicy>(new Dictionary<string, string?> { ["Tls:ExtraCaFiles:0"] = bundle });
        await using var server = HandshakeServer.Start(IPAddress.Loopback, second.IssueServerCertificate([Name]));

        var result = await HandshakeAsync(policy, server, Name);

        Assert.True(result.Ok, result.Reason);
    }

    [Fact]
    public async Task Handshake_OtherCaInExtraCaFiles_StillUntrusted()
    {
        using var otherCa = new TestCertificateAuthority("Some Other CA");
        await using var server = HandshakeServer.Start(IPAddress.Loopback, otherCa.IssueServerCertificate([Name]));

        var result = await HandshakeAsync(Policy(trustTestCa: true), server, Name);

        Assert.False(result.Ok);
        Assert.Contains("does not lead to a trusted root (issuer 'CN=Some Other CA')", result.Reason);
    }

    [Fact]
    public async Task Handshake_ExpiredCertificate_Fails()
    {
        var expired = _ca.IssueExpiredCertificate([Name]);
        await using var server = HandshakeServer.Start(IPAddress.Loopback, expired);

        var result = await HandshakeAsync(Policy(), server, Name);

        Assert.False(result.Ok);
        Assert.Contains($"certificate expired at {expired.NotAfter.ToUniversalTime():u}", result.Reason);
        Assert.DoesNotContain("trusted root", result.Reason);
    }

    [Fact]
    public async Task Handshake_NotYetValidCertificate_Fails()
    {
        var future = _ca.IssueServerCertificate([Name], DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow.AddDays(30));
        await using var server = HandshakeServer.Start(IPAddress.Loopback, future);

        var result = await HandshakeAsync(Policy(), server, Name);

        Assert.False(result.Ok);
        Assert.Contains("certificate is not valid before", result.Reason);
    }

    [Theory]
    [InlineData("a.skip.test-egress.example", true)]
    [InlineData("A.Skip.Test-Egress.Example", true)]
    [InlineData("x.y.skip.test-egress.example", true)]
    [InlineData("skip.test-egress.example", false)]
    [InlineData("a.noskip.test-egress.example", false)]
    [InlineData("exact.test-egress.example", true)]
    [InlineData("notexact.test-egress.example", false)]
    [InlineData("exact.test-egress.example.evil", false)]
    [InlineData("g1.glob.example", true)]
    [InlineData("g12.glob.example", false)]
    public async Task Handshake_SkipListByName_OnlyListedNamesSucceed(string tlsName, bool expected)
    {
        // Untrusted CA, wrong name and expired at once: only skipping verification can pass this.
        using var otherCa = new TestCertificateAuthority("Untrusted CA");
        await using var server = HandshakeServer.Start(IPAddress.Loopback, otherCa.IssueExpiredCertificate(["unrelated.example"]));
        var policy = Policy(false, "1.2", "*.skip.test-egress.example", "EXACT.test-egress.example", "g?.glob.*");

        var result = await HandshakeAsync(policy, server, tlsName);

        Assert.Equal(expected, result.Ok);
        Assert.Equal([tlsName], server.ServerNames);
    }

    [Fact]
    public async Task Handshake_SkipListByNetmask_OnlyListedNetmaskSucceeds()
    {
        using var otherCa = new TestCertificateAuthority("Untrusted CA");
        var certificate = otherCa.IssueServerCertificate(["unrelated.example"]);
        await using var listed = HandshakeServer.Start(IPAddress.Parse("127.0.0.2"), certificate);
        await using var unlisted = HandshakeServer.Start(IPAddress.Parse("127.0.0.3"), certificate);
        var policy = Policy(false, "1.2", "127.0.0.2/32");

        var listedByName = await HandshakeAsync(policy, listed, Name);
        var listedByIp = await HandshakeAsync(policy, listed, "127.0.0.2");
        var unlistedByName = await HandshakeAsync(policy, unlisted, Name);
        var unlistedByIp = await HandshakeAsync(policy, unlisted, "127.0.0.3");

        Assert.True(listedByName.Ok, listedByName.Reason);
        Assert.True(listedByIp.Ok, listedByIp.Reason);
        Assert.False(unlistedByName.Ok);
        Assert.False(unlistedByIp.Ok);
    }

    [Fact]
    public async Task Handshake_DomainPatternStar_DoesNotSkipIpLiterals()
    {
        using var otherCa = new TestCertificateAuthority("Untrusted CA");
        await using var server = HandshakeServer.Start(IPAddress.Loopback, otherCa.IssueServerCertificate(["unrelated.example"]));

        var result = await HandshakeAsync(Policy(false, "1.2", "*"), server, "127.0.0.1");

        Assert.False(result.Ok);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("::1", "[::1]")]
    [InlineData("::1", "::1")]
    public async Task Handshake_IpLiteralWithIpSan_SucceedsWithoutSni(string listen, string tlsName)
    {
        await using var server = HandshakeServer.Start(IPAddress.Parse(listen), _ca.IssueServerCertificate([listen, "testserv"]));

        var result = await HandshakeAsync(Policy(), server, tlsName);

        Assert.True(result.Ok, result.Reason);
        Assert.Equal([string.Empty], server.ServerNames);
    }

    [Fact]
    public async Task Handshake_IpLiteralWithOnlyDnsSan_Fails()
    {
        // IP-06: an IP literal must match an IP SAN; a DNS SAN never counts.
        await using var server = HandshakeServer.Start(IPAddress.Loopback, _ca.IssueServerCertificate(["testserv"]));

        var result = await HandshakeAsync(Policy(), server, "127.0.0.1");

        Assert.False(result.Ok);
        Assert.Contains("certificate is not valid for IP address 127.0.0.1", result.Reason);
        Assert.Equal([string.Empty], server.ServerNames);
    }

    [Fact]
    public async Task Handshake_IpLiteralWithDnsSanSpelledAsTheIp_Fails()
    {
        await using var server = HandshakeServer.Start(IPAddress.Loopback, CertificateFactory.IssueWithDnsSan(_ca, "127.0.0.1"));

        var result = await HandshakeAsync(Policy(), server, "127.0.0.1");

        Assert.False(result.Ok);
        Assert.Contains("not valid for IP address 127.0.0.1", result.Reason);
    }

    [Fact]
    public async Task Handshake_IpLiteralWithCommonNameSpelledAsTheIp_Fails()
    {
        // SslStream alone accepts this (it falls back to DNS SAN / CN text for an IP TargetHost); the policy must not.
        await using var server = HandshakeServer.Start(IPAddress.Loopback, CertificateFactory.IssueWithCommonNameOnly(_ca, "127.0.0.1"));

        var result = await HandshakeAsync(Policy(), server, "127.0.0.1");

        Assert.False(result.Ok);
        Assert.Contains("not valid for IP address 127.0.0.1", result.Reason);
    }

    [Fact]
    public async Task Handshake_IpCertificateForAnotherIp_Fails()
    {
        // IP-05: the certificate names 127.0.0.9, we connected to 127.0.0.1.
        await using var server = HandshakeServer.Start(IPAddress.Loopback, _ca.IssueServerCertificate(["127.0.0.9"]));

        var result = await HandshakeAsync(Policy(), server, "127.0.0.1");

        Assert.False(result.Ok);
        Assert.Contains("not valid for IP address 127.0.0.1", result.Reason);
    }

    [Fact]
    public async Task Handshake_DnsNameAgainstIpSanOnlyCertificate_Fails()
    {
        await using var server = HandshakeServer.Start(IPAddress.Loopback, _ca.IssueServerCertificate(["127.0.0.1"]));

        var result = await HandshakeAsync(Policy(), server, Name);

        Assert.False(result.Ok);
        Assert.Contains($"not valid for name {Name}", result.Reason);
    }

    [Fact]
    public async Task Handshake_CommonNameWithoutSan_Fails()
    {
        await using var server = HandshakeServer.Start(IPAddress.Loopback, CertificateFactory.IssueWithCommonNameOnly(_ca, Name));

        var result = await HandshakeAsync(Policy(), server, Name);

        Assert.False(result.Ok);
        Assert.Contains($"not valid for name {Name}", result.Reason);
    }

    [Theory]
    [InlineData("a.wild.test-egress.example", true)]
    [InlineData("a.b.wild.test-egress.example", false)]
    [InlineData("wild.test-egress.example", false)]
    public async Task Handshake_WildcardCertificate_MatchesExactlyOneLabel(string tlsName, bool expected)
    {
        await using var server = HandshakeServer.Start(IPAddress.Loopback, _ca.IssueServerCertificate(["*.wild.test-egress.example"]));

        var result = await HandshakeAsync(Policy(), server, tlsName);

        Assert.Equal(expected, result.Ok);
    }

    [Fact]
    public async Task Handshake_DefaultMinimum_AcceptsTls12AndPrefersTls13()
    {
        var certificate = _ca.IssueServerCertificate([Name]);
        await using var tls12Only = HandshakeServer.Start(IPAddress.Loopback, certificate, SslProtocols.Tls12);
        await using var any = HandshakeServer.Start(IPAddress.Loopback, certificate);

        var old = await HandshakeAsync(Policy(), tls12Only, Name);
        var modern = await HandshakeAsync(Policy(), any, Name);

        Assert.True(old.Ok, old.Reason);
        Assert.Equal(SslProtocols.Tls12, old.Protocol);
        Assert.True(modern.Ok, modern.Reason);
        Assert.Equal(SslProtocols.Tls13, modern.Protocol);
    }

    [Fact]
    public async Task Handshake_Minimum13_RefusesTls12Server()
    {
        await using var server = HandshakeServer.Start(IPAddress.Loopback, _ca.IssueServerCertificate([Name]), SslProtocols.Tls12);

        var policy = Policy(minimumVersion: "1.3");
        var result = await HandshakeAsync(policy, server, Name);

        Assert.Equal(SslProtocols.Tls13, policy.EnabledProtocols);
        Assert.False(result.Ok);
        Assert.Contains($"TLS handshake with {Name} at 127.0.0.1 failed", result.Reason);
    }

    [Fact]
    public async Task Callback_ThroughSocketsHttpHandlerSslOptions_RejectsAndReportsReason()
    {
        // The shared-SslOptions wiring: the TLS name comes from the request's Host.
        await using var server = await TlsTestServer.StartAsync(_ca.IssueServerCertificate(["other.test-egress.example"]));
        var reasons = new List<string>();
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(server.EndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        Policy().ConfigureClientOptions(handler.SslOptions, onFailure: reasons.Add);
        using var client = new HttpClient(handler);

        var exception = await Assert.ThrowsAsync<HttpRequestException>(() =>
            client.GetAsync($"https://{Name}:{server.Port}/", TestContext.Current.CancellationToken));

        Assert.IsType<AuthenticationException>(exception.InnerException);
        Assert.Equal([$"certificate is not valid for name {Name}"], reasons);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task AuthenticateAsClient_InSocketsHttpHandlerConnectCallback_UsedAsIsWithHostAndSni()
    {
        // The recommended wiring: TLS in the ConnectCallback, where the dialled IP is known.
        await using var server = await TlsTestServer.StartAsync(_ca.IssueServerCertificate([Name]));
        var policy = Policy();
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(server.EndPoint, ct);
                return await policy.AuthenticateAsClientAsync(new NetworkStream(socket, ownsSocket: true), context.DnsEndPoint.Host, server.EndPoint.Address, [SslApplicationProtocol.Http11], ct);
            },
        };
        using var client = new HttpClient(handler);

        using var response = await client.GetAsync($"https://{Name}:{server.Port}/x", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = Assert.Single(server.Requests);
        Assert.Equal(Name, request.Sni);
        Assert.Equal($"{Name}:{server.Port}", request.Host);
    }

    [Fact]
    public void Validate_NoCertificate_Fails()
    {
        Assert.False(Policy().Validate(Name, IPAddress.Loopback, null, null, SslPolicyErrors.RemoteCertificateNotAvailable, out var reason));
        Assert.Equal("the remote presented no certificate", reason);
    }

    [Fact]
    public void Validate_NoCertificateButSkipped_Succeeds()
    {
        Assert.True(Policy(false, "1.2", "10.9.0.0/16").Validate(Name, IPAddress.Parse("10.9.8.7"), null, null, SslPolicyErrors.RemoteCertificateNotAvailable, out _));
        Assert.True(Policy(false, "1.2", "10.9.0.0/16").Validate(Name, IPAddress.Parse("::ffff:10.9.8.7"), null, null, SslPolicyErrors.RemoteCertificateNotAvailable, out _));
    }

    private sealed record HandshakeResult(bool Ok, string Reason, SslProtocols Protocol);
}
