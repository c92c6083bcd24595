using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using FederationEgress.Errors;
using FederationEgress.Security.Tls;
using FederationEgress.Testing.Time;
using FederationEgress.Testing.Tls;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FederationEgress.Tests.Security.Tls;

/// <summary>
/// Trust decided over the roots that can issue the presented chain: system roots (injected here)
/// and extra CAs give the verdict a full system-trust chain would, over real handshakes.
/// </summary>
public sealed class TrustAnchorsTests : IDisposable
{
    private const string Name = "anchors.test-egress.example";

    private readonly TestCertificateAuthority _root = new("Anchors Test Root");
    private readonly TestCertificateAuthority _otherRoot = new("Anchors Other Root");
    private readonly TestCertificateAuthority _intermediate;
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);

    public TrustAnchorsTests()
    {
        _intermediate = _root.CreateIntermediate("Anchors Test Intermediate");
    }

    public void Dispose()
    {
        _intermediate.Dispose();
        _root.Dispose();
        _otherRoot.Dispose();
    }

    [Fact]
    public async Task Handshake_LeafFromSystemRoot_Accepted()
    {
        var policy = Policy(system: [_otherRoot, _root]);
        await using var server = HandshakeServer.Start(IPAddress.Loopback, _root.IssueServerCertificate([Name]));

        var (ok, reason) = await HandshakeAsync(policy, server);

        Assert.True(ok, reason);
    }

    [Fact]
    public async Task Handshake_IntermediateSentAndRootInSystemStore_Accepted()
    {
        var policy = Policy(system: [_otherRoot, _root]);
        await using var server = HandshakeServer.Start(IPAddress.Loopback, _intermediate.IssueServerCertificate([Name]), intermediates: [PublicPart(_intermediate)]);

        var (ok, reason) = await HandshakeAsync(policy, server);

        Assert.True(ok, reason);
    }

    [Fact]
    public async Task Handshake_ServerAlsoSendsItsRoot_AcceptedOnlyWhenTheRootIsTrusted()
    {
        // Some servers send the whole chain, root included; a sent root is not trusted for being sent.
        var leaf = _intermediate.IssueServerCertificate([Name]);
        await using var server = HandshakeServer.Start(IPAddress.Loopback, leaf, intermediates: [PublicPart(_intermediate), PublicPart(_root)]);

        var (trusted, trustedReason) = await HandshakeAsync(Policy(system: [_root]), server);
        var (untrusted, untrustedReason) = await HandshakeAsync(Policy(system: [_otherRoot]), server);

        Assert.True(trusted, trustedReason);
        Assert.False(untrusted);
        Assert.Contains("does not lead to a trusted root", untrustedReason);
    }

    [Fact]
    public async Task Handshake_IntermediateNotSent_RejectedAsUntrusted()
    {
        var policy = Policy(system: [_root]);
        await using var server = HandshakeServer.Start(IPAddress.Loopback, _intermediate.IssueServerCertificate([Name]));

        var (ok, reason) = await HandshakeAsync(policy, server);

        Assert.False(ok);
        Assert.Contains("does not lead to a trusted root (issuer 'CN=Anchors Test Intermediate')", reason);
    }

    [Fact]
    public async Task Handshake_RootInNeitherSystemNorExtra_RejectedAsUntrusted()
    {
        var policy = Policy(system: [_otherRoot]);
        await using var server = HandshakeServer.Start(IPAddress.Loopback, _root.IssueServerCertificate([Name]));

        var (ok, reason) = await HandshakeAsync(policy, server);

        Assert.False(ok);
        Assert.Contains("does not lead to a trusted root", reason);
    }

    [Fact]
    public async Task Handshake_ExpiredLeafFromSystemRoot_ReportedAsExpiredNotUntrusted()
    {
        var policy = Policy(system: [_root]);
        await using var server = HandshakeServer.Start(IPAddress.Loopback, _root.IssueExpiredCertificate([Name]));

        var (ok, reason) = await HandshakeAsync(policy, server);

        Assert.False(ok);
        Assert.Contains("certificate expired at", reason);
        Assert.DoesNotContain("trusted root", reason);
    }

    [Fact]
    public async Task Handshake_RootOnlyInExtraCas_Accepted()
    {
        var policy = Policy(system: [_otherRoot], extra: [_root]);
        await using var server = HandshakeServer.Start(IPAddress.Loopback, _root.IssueServerCertificate([Name]));

        var (ok, reason) = await HandshakeAsync(policy, server);

        Assert.True(ok, reason);
    }

    [Fact]
    public async Task Handshake_IntermediateInDisallowedStore_RejectedAsDistrusted()
    {
        var anchors = new TrustAnchors([], () => Collection(_root), _time, () => Collection(_intermediate));
        var policy = new TlsPolicy(Options.Create(new TlsOptions()), anchors, _time, NullLogger<TlsPolicy>.Instance);
        await using var server = HandshakeServer.Start(IPAddress.Loopback, _intermediate.IssueServerCertificate([Name]), intermediates: [PublicPart(_intermediate)]);

        var (ok, reason) = await HandshakeAsync(policy, server);

        Assert.False(ok);
        Assert.Contains("ExplicitDistrust", reason);
    }

    [Fact]
    public async Task Handshake_RootInDisallowedStore_RejectedAsUntrusted()
    {
        var anchors = new TrustAnchors([], () => Collection(_root), _time, () => Collection(_root));
        var policy = new TlsPolicy(Options.Create(new TlsOptions()), anchors, _time, NullLogger<TlsPolicy>.Instance);
        await using var server = HandshakeServer.Start(IPAddress.Loopback, _root.IssueServerCertificate([Name]));

        var (ok, reason) = await HandshakeAsync(policy, server);

        Assert.False(ok);
        Assert.Contains("does not lead to a trusted root", reason);
    }

    [Fact]
    public void AddCandidates_LeafOfIntermediateAnchor_AddsTheAnchorAndItsIssuerOnly()
    {
        // An operator CA that is itself an intermediate: its issuer is followed too.
        var anchors = new TrustAnchors(Collection(_intermediate), () => Collection(_root, _otherRoot), _time);
        using var leaf = _intermediate.IssueServerCertificate([Name]);
        var candidates = new X509Certificate2Collection();

        anchors.AddCandidates([leaf], candidates);

        Assert.Equal(["CN=Anchors Test Intermediate", "CN=Anchors Test Root"], candidates.Select(c => c.Subject));
    }

    [Fact]
    public void AddCandidates_UnknownIssuer_AddsNothing()
    {
        var anchors = new TrustAnchors([], () => Collection(_otherRoot), _time);
        using var leaf = _root.IssueServerCertificate([Name]);
        var candidates = new X509Certificate2Collection();

        anchors.AddCandidates([leaf], candidates);

        Assert.Empty(candidates);
    }

    [Fact]
    public void AddCandidates_SystemRootsChanged_SeenAfterTheRefreshInterval()
    {
        var system = Collection(_otherRoot);
        var loads = 0;
        var anchors = new TrustAnchors([], () =>
        {
            loads++;
            return system;
        }, _time);
        using var leaf = _root.IssueServerCertificate([Name]);
        system = Collection(_otherRoot, _root);

        var before = new X509Certificate2Collection();
        anchors.AddCandidates([leaf], before);
        _time.Advance(TrustAnchors.SystemRootsRefreshInterval);
        var after = new X509Certificate2Collection();
        anchors.AddCandidates([leaf], after);

        Assert.Empty(before);
        Assert.Equal(["CN=Anchors Test Root"], after.Select(c => c.Subject));
        Assert.Equal(2, loads);
        Assert.Equal(2, anchors.SystemRootCount);
    }

    private ITlsPolicy Policy(TestCertificateAuthority[] system, TestCertificateAuthority[]? extra = null)
    {
        var anchors = new TrustAnchors(Collection(extra ?? []), () => Collection(system), _time);
        return new TlsPolicy(Options.Create(new TlsOptions()), anchors, _time, NullLogger<TlsPolicy>.Instance);
    }

    private static async Task<(bool Ok, string Reason)> HandshakeAsync(ITlsPolicy policy, HandshakeServer server)
    {
        using var tcp = new TcpClient(server.EndPoint.AddressFamily);
        await tcp.ConnectAsync(server.EndPoint, TestContext.Current.CancellationToken);
        try
        {
            await using var ssl = await policy.AuthenticateAsClientAsync(tcp.GetStream(), Name, server.EndPoint.Address, null, TestContext.Current.CancellationToken);
            return (true, string.Empty);
        }
        catch (EgressException e)
        {
            Assert.Equal(EgressErrorKind.TlsFailed, e.Error.Kind);
            return (false, e.Error.Message);
        }
    }

    private static X509Certificate2 PublicPart(TestCertificateAuthority ca) => X509CertificateLoader.LoadCertificate(ca.Certificate.RawData);

    private static X509Certificate2Collection Collection(params TestCertificateAuthority[] cas) => [.. cas.Select(PublicPart)];
}
