using System.Net;
using System.Net.Security;
using FederationEgress.Security;
using FederationEgress.Security.Destinations;
using FederationEgress.Security.Tls;
using FederationEgress.ServerNames;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Tests.Security;

/// <summary>Denials are logged with the reason, under the area's event ids (3000-3099).</summary>
public sealed class SecurityLoggingTests
{
    private readonly CapturingLoggerProvider _logs = new();

    private T Get<T>(Dictionary<string, string?>? settings = null)
        where T : notnull => SecurityTestHost.Build(settings ?? [], logs: _logs).GetRequiredService<T>();

    [Fact]
    public void AddressDenied_LoggedWithReason()
    {
        var policy = Get<IEgressAddressPolicy>();

        policy.IsAllowed(IPAddress.Parse("8.8.8.8"), out _);
        policy.IsAllowed(IPAddress.Parse("169.254.169.254"), out _);

        var entry = Assert.Single(_logs.Entries);
        Assert.Equal(3000, entry.EventId);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Equal("Egress to 169.254.169.254 denied: 169.254.0.0/16 (link-local, incl. cloud metadata 169.254.169.254) is in the deny list", entry.Message);
    }

    [Fact]
    public void DestinationDenied_LoggedWithReason()
    {
        var policy = Get<IDestinationPolicy>(new() { ["Destinations:Deny:0"] = "*.evil.example" });

        policy.IsAllowed(ServerName.Parse("a.evil.example:8448"), out _);

        var entry = Assert.Single(_logs.Entries);
        Assert.Equal(3020, entry.EventId);
        Assert.Equal("Destination a.evil.example:8448 denied: destination a.evil.example:8448 matches '*.evil.example' in Destinations:Deny", entry.Message);
    }

    [Fact]
    public void TlsPolicy_Built_LogsSystemRootAndExtraCaCounts()
    {
        _ = Get<ITlsPolicy>();

        var entry = Assert.Single(_logs.Entries, e => e.EventId == 3012);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Matches(@"^TLS trust: \d+ system roots, 0 extra CAs from Tls:ExtraCaFiles$", entry.Message);
    }

    [Fact]
    public void CertificateRejected_LoggedAsWarningWithReason()
    {
        var policy = Get<ITlsPolicy>();

        policy.Validate("example.org", IPAddress.Parse("192.0.2.1"), null, null, SslPolicyErrors.RemoteCertificateNotAvailable, out _);

        // Besides 3012, the trust summary logged once when the policy is built.
        var entry = Assert.Single(_logs.Entries, e => e.EventId != 3012);
        Assert.Equal(3010, entry.EventId);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("TLS certificate of example.org at 192.0.2.1 rejected: the remote presented no certificate", entry.Message);
    }
}
