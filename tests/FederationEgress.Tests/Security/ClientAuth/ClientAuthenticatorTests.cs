using System.Net;
using FederationEgress.Errors;
using FederationEgress.Security.ClientAuth;
using FederationEgress.Testing.Time;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace FederationEgress.Tests.Security.ClientAuth;

public sealed class ClientAuthenticatorTests : IDisposable
{
    private readonly string _tokenFile = Path.Combine(Path.GetTempPath(), $"fe-token-{Guid.NewGuid():N}");
    private readonly CapturingLoggerProvider _logs = new();

    public void Dispose()
    {
        File.Delete(_tokenFile);
        _logs.Dispose();
    }

    private ClientAuthenticator Create(ClientAuthOptions options, TimeProvider? time = null)
    {
        using var factory = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        return new ClientAuthenticator(Options.Create(options), time ?? TimeProvider.System, factory.CreateLogger<ClientAuthenticator>());
    }

    private static bool Try(ClientAuthenticator auth, string? header, out EgressError? error, string ip = "127.0.0.1") =>
        auth.TryAuthenticate(IPAddress.Parse(ip), header is null ? StringValues.Empty : new StringValues(header), out error);

    [Fact]
    public void TryAuthenticate_NoToken_CheckOff()
    {
        var auth = Create(new ClientAuthOptions());
        Assert.False(auth.RequiresToken);
        Assert.Equal("Proxy-Authorization", auth.HeaderName);
        Assert.True(Try(auth, null, out _));
    }

    [Fact]
    public void TryAuthenticate_TokenFile_TrailingNewlineIgnoredAndRotationPickedUp()
    {
        File.WriteAllText(_tokenFile, "first-token\n");
        var time = new ManualTimeProvider();
        var auth = Create(new ClientAuthOptions { BearerTokenFile = _tokenFile }, time);

        Assert.True(Try(auth, "Bearer first-token", out _));

        File.WriteAllText(_tokenFile, "second-token\n");
        Assert.True(Try(auth, "Bearer first-token", out _));

        time.Advance(ClientAuthenticator.TokenFileRecheckInterval);
        Assert.False(Try(auth, "Bearer first-token", out _));
        Assert.True(Try(auth, "Bearer second-token", out _));
    }

    [Fact]
    public void TryAuthenticate_TokenFileRemovedLater_KeepsLastGoodToken()
    {
        File.WriteAllText(_tokenFile, "first-token");
        var time = new ManualTimeProvider();
        var auth = Create(new ClientAuthOptions { BearerTokenFile = _tokenFile }, time);

        File.Delete(_tokenFile);
        time.Advance(ClientAuthenticator.TokenFileRecheckInterval);

        Assert.True(Try(auth, "Bearer first-token", out _));
        Assert.Contains(_logs.Messages, m => m.Contains("ClientAuth:BearerTokenFile could not be re-read"));
    }

    [Fact]
    public void TryAuthenticate_Failures_CountedAndTokenNeverLogged()
    {
        const string secret = "super-secret-value-42";
        var auth = Create(new ClientAuthOptions { BearerToken = secret, AllowedClientRanges = ["127.0.0.0/8"] });
        using var recorder = new DenialMetricRecorder();

        Assert.True(Try(auth, $"Bearer {secret}", out _));
        Assert.False(Try(auth, "Bearer super-secret-value-43", out var wrong));
        Assert.False(Try(auth, null, out var missing));
        Assert.False(Try(auth, $"Bearer {secret}", out var forbidden, "192.0.2.1"));

        Assert.Equal(EgressErrorKind.ClientUnauthorized, wrong!.Kind);
        Assert.Equal(EgressErrorKind.ClientUnauthorized, missing!.Kind);
        Assert.Equal(EgressErrorKind.ClientForbidden, forbidden!.Kind);
        Assert.Equal(["client_denied", "client_denied", "client_denied"], recorder.Reasons);
        Assert.NotEmpty(_logs.Messages);
        Assert.All(_logs.Messages, m => Assert.DoesNotContain("super-secret", m));
        Assert.DoesNotContain("super-secret", wrong.ToString());
    }

    [Fact]
    public void ErrorMapper_ClientForbidden_Is403Forbidden()
    {
        Assert.Equal(403, EgressErrorMapper.StatusCode(EgressErrorKind.ClientForbidden));
        Assert.Equal("M_FORBIDDEN", EgressErrorMapper.ErrCode(EgressErrorKind.ClientForbidden));
        Assert.Equal("client_forbidden", EgressErrorMapper.TypeName(EgressErrorKind.ClientForbidden));
        Assert.Equal(401, EgressErrorMapper.StatusCode(EgressErrorKind.ClientUnauthorized));
    }

    [Theory]
    [InlineData("ClientAuth:HeaderName", "Authorization", "ClientAuth:HeaderName must not be 'Authorization'")]
    [InlineData("ClientAuth:HeaderName", "Bad Header", "ClientAuth:HeaderName 'Bad Header' is not a valid header name")]
    [InlineData("ClientAuth:AllowedClientRanges:0", "10.0.0.0/8x", "ClientAuth:AllowedClientRanges:0 '10.0.0.0/8x' is not a CIDR")]
    [InlineData("ClientAuth:BearerTokenFile", "/nonexistent/token", "ClientAuth:BearerTokenFile '/nonexistent/token' cannot be read")]
    [InlineData("ClientAuth:BearerToken", " padded ", "ClientAuth:BearerToken has leading or trailing whitespace")]
    public void Startup_BadOption_FailsNamingTheKey(string key, string value, string expected)
    {
        var error = SecurityTestHost.StartupError(new Dictionary<string, string?> { [key] = value });
        Assert.NotNull(error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Startup_TokenAndTokenFile_FailsWithoutRevealingTheToken()
    {
        File.WriteAllText(_tokenFile, "from-file");
        var error = SecurityTestHost.StartupError(new Dictionary<string, string?>
        {
            ["ClientAuth:BearerToken"] = "inline-secret",
            ["ClientAuth:BearerTokenFile"] = _tokenFile,
        });
        Assert.Contains("ClientAuth:BearerToken and ClientAuth:BearerTokenFile are both set", error);
        Assert.DoesNotContain("inline-secret", error);
    }

    [Fact]
    public void Startup_EmptyTokenFile_Fails()
    {
        File.WriteAllText(_tokenFile, "\n");
        var error = SecurityTestHost.StartupError(new Dictionary<string, string?> { ["ClientAuth:BearerTokenFile"] = _tokenFile });
        Assert.Contains($"ClientAuth:BearerTokenFile '{_tokenFile}' is empty", error);
    }
}
