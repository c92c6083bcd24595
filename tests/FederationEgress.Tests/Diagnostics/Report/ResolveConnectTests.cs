using System.Text.Json;

namespace FederationEgress.Tests.Diagnostics.Report;

/// <summary>?connect=true: a TLS check of every endpoint through the egress address and TLS policies.</summary>
public sealed class ResolveConnectTests
{
    [Fact]
    public async Task Connect_ValidCertificate_ReportsCertificateProtocolAndAlpn()
    {
        await using var world = FederationWorld.Create();
        world.Dns.AddA("good.test", world.Ip(2));
        var server = await world.ServerAsync(2, 8449, "good.test");
        await world.StartAppAsync();

        var (_, body) = await world.ReportAsync("good.test:8449", "?connect=true");

        var check = Assert.Single(body.GetProperty("tls_checks").EnumerateArray());
        Assert.Equal($"{world.Ip(2)}:8449", check.GetProperty("endpoint").GetString());
        Assert.Equal("ok", check.GetProperty("outcome").GetString());
        Assert.Equal("good.test", check.GetProperty("tls_name").GetString());
        Assert.True(check.GetProperty("sni").GetBoolean());
        Assert.True(check.GetProperty("certificate_valid").GetBoolean());
        Assert.False(check.TryGetProperty("validation_error", out _));
        Assert.StartsWith("TLS 1.", check.GetProperty("protocol").GetString());
        Assert.Equal("h2", check.GetProperty("alpn").GetString());
        Assert.True(check.GetProperty("handshake_ms").GetDouble() >= 0);
        var certificate = check.GetProperty("certificate");
        Assert.Equal("CN=good.test", certificate.GetProperty("subject").GetString());
        Assert.Equal(["DNS:good.test"], certificate.GetProperty("subject_alternative_names").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("Diagnostics Test CA", certificate.GetProperty("issuer").GetString());
        Assert.True(certificate.GetProperty("not_after").GetDateTimeOffset() > certificate.GetProperty("not_before").GetDateTimeOffset());
        Assert.Equal(server.Certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant(), certificate.GetProperty("sha256").GetString());

        // The check is a handshake only: the remote never received a request.
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Connect_CertificateForAnotherName_ReportsInvalidWithReason()
    {
        await using var world = FederationWorld.Create();
        world.Dns.AddA("wrong.test", world.Ip(3));
        await world.ServerAsync(3, 8449, "someone-else.test");
        await world.StartAppAsync();

        var (_, body) = await world.ReportAsync("wrong.test:8449", "?connect=true");

        var check = Assert.Single(body.GetProperty("tls_checks").EnumerateArray());
        Assert.Equal("invalid_certificate", check.GetProperty("outcome").GetString());
        Assert.False(check.GetProperty("certificate_valid").GetBoolean());
        Assert.Contains("wrong.test", check.GetProperty("validation_error").GetString());
        Assert.Equal("CN=someone-else.test", check.GetProperty("certificate").GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Connect_ExpiredCertificate_ReportsInvalid()
    {
        await using var world = FederationWorld.Create();
        world.Dns.AddA("expired.test", world.Ip(4));
        var server = await world.ServerAsync(4, 8449, "expired.test");
        server.Certificate = world.Ca.IssueExpiredCertificate(["expired.test"]);
        await world.StartAppAsync();

        var (_, body) = await world.ReportAsync("expired.test:8449", "?connect=true");

        var check = Assert.Single(body.GetProperty("tls_checks").EnumerateArray());
        Assert.Equal("invalid_certificate", check.GetProperty("outcome").GetString());
        Assert.True(check.GetProperty("certificate").GetProperty("not_after").GetDateTimeOffset() < DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Connect_IpLiteral_ValidatesTheIpWithoutSni()
    {
        await using var world = FederationWorld.Create();
        var server = await world.ServerAsync(5, 8449, world.Ip(5));
        await world.StartAppAsync();

        var (_, body) = await world.ReportAsync($"{world.Ip(5)}:8449", "?connect=true");

        var check = Assert.Single(body.GetProperty("tls_checks").EnumerateArray());
        Assert.Equal("ok", check.GetProperty("outcome").GetString());
        Assert.False(check.GetProperty("sni").GetBoolean());
        Assert.Equal([$"IP:{world.Ip(5)}"], check.GetProperty("certificate").GetProperty("subject_alternative_names").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Connect_DeniedAddress_IsNeverDialled()
    {
        await using var world = FederationWorld.Create();
        // 127.0.0.1 is loopback, denied by the default list; only this world's /24 is allowed.
        world.Dns.AddA("denied.test", "127.0.0.1");
        await world.StartAppAsync();

        var (_, body) = await world.ReportAsync("denied.test:1", "?connect=true");

        var check = Assert.Single(body.GetProperty("tls_checks").EnumerateArray());
        Assert.Equal("address_denied", check.GetProperty("outcome").GetString());
        Assert.False(check.TryGetProperty("connect_ms", out _));
        Assert.False(string.IsNullOrEmpty(check.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Connect_NothingListening_ReportsConnectFailed()
    {
        await using var world = FederationWorld.Create();
        world.Dns.AddA("closed.test", world.Ip(6));
        await world.StartAppAsync();

        var (_, body) = await world.ReportAsync("closed.test:8449", "?connect=true");

        var check = Assert.Single(body.GetProperty("tls_checks").EnumerateArray());
        Assert.Equal("connect_failed", check.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Resolve_WithoutConnect_HasNoTlsChecks()
    {
        await using var world = FederationWorld.Create();
        world.Dns.AddA("noconnect.test", world.Ip(7));
        await world.StartAppAsync();

        var (_, body) = await world.ReportAsync("noconnect.test:8449");

        Assert.False(body.TryGetProperty("tls_checks", out JsonElement _));
    }
}
