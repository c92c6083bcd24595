using FederationEgress.Diagnostics.Report;
using FederationEgress.Discovery;

namespace FederationEgress.Tests.Diagnostics.Cli;

/// <summary>Fixed reports (fixed times and durations) for output snapshots.</summary>
internal static class SampleReports
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);

    public static ResolveReport Delegated() => new()
    {
        ServerName = "example.org",
        Outcome = "resolved",
        StartedAt = Start,
        DurationMs = 12.5,
        Cache = "miss",
        Steps =
        [
            new ResolveReportStep
            {
                Name = "well_known",
                Input = "https://example.org/.well-known/matrix/server",
                Outcome = "valid",
                Detail = "miss; HTTP 200; m.server matrix.example.org; attempts 1",
                Records = ["m.server matrix.example.org"],
                ExpiresAt = Start.AddHours(1),
                DurationMs = 8.25,
                WellKnown = new ResolveReportWellKnown
                {
                    Url = "https://example.org/.well-known/matrix/server",
                    Status = 200,
                    Outcome = "valid",
                    Message = "m.server matrix.example.org",
                    MServer = "matrix.example.org",
                    Body = "{\"m.server\":\"matrix.example.org\"}",
                    CacheControl = "max-age=3600",
                    HeaderCacheSeconds = 3600,
                    Redirects = [],
                    Attempts = 1,
                },
            },
            new ResolveReportStep
            {
                Name = "srv",
                Input = "_matrix-fed._tcp.matrix.example.org",
                Outcome = "success",
                Records = ["10 0 443 fed1.example.net", "20 0 8448 fed2.example.net"],
                ExpiresAt = Start.AddMinutes(5),
                DurationMs = 1.5,
            },
            new ResolveReportStep
            {
                Name = "addresses",
                Input = "fed1.example.net",
                Outcome = "success",
                Records = ["2001:db8::7", "203.0.113.7"],
                ExpiresAt = Start.AddMinutes(5),
                DurationMs = 0.75,
            },
            new ResolveReportStep
            {
                Name = "addresses",
                Input = "fed2.example.net",
                Outcome = "success",
                Records = ["203.0.113.8"],
                ExpiresAt = Start.AddMinutes(5),
                Stale = true,
                DurationMs = 0.5,
            },
        ],
        Result = new ResolveReportResult
        {
            Step = DiscoveryStep.WellKnownSrv,
            HostHeader = "matrix.example.org",
            TlsName = "matrix.example.org",
            DelegatedName = "matrix.example.org",
            Endpoints =
            [
                new ResolveReportEndpoint("[2001:db8::7]:443", "fed1.example.net"),
                new ResolveReportEndpoint("203.0.113.7:443", "fed1.example.net"),
                new ResolveReportEndpoint("203.0.113.8:8448", "fed2.example.net"),
            ],
            ExpiresAt = Start.AddMinutes(5),
        },
        WellKnownCache = new ResolveReportWellKnownCache
        {
            Delegation = "matrix.example.org",
            FetchedAt = Start,
            ExpiresAt = Start.AddHours(1),
            RefreshAt = Start.AddMinutes(48),
            ConsecutiveFailures = 0,
            LastOutcome = "valid",
            LastStatus = 200,
        },
        TlsChecks =
        [
            new EndpointTlsCheck
            {
                Endpoint = "203.0.113.7:443",
                TlsName = "matrix.example.org",
                Sni = true,
                Outcome = "ok",
                CertificateValid = true,
                Certificate = new CertificateSummary
                {
                    Subject = "CN=matrix.example.org",
                    Issuer = "CN=Example CA",
                    SubjectAlternativeNames = ["DNS:matrix.example.org", "DNS:example.org"],
                    NotBefore = Start.AddDays(-30),
                    NotAfter = Start.AddDays(60),
                    Sha256 = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
                },
                Protocol = "TLS 1.3",
                Alpn = "h2",
                ConnectMs = 0.25,
                HandshakeMs = 3.125,
            },
            new EndpointTlsCheck
            {
                Endpoint = "203.0.113.8:8448",
                TlsName = "matrix.example.org",
                Sni = true,
                Outcome = "invalid_certificate",
                CertificateValid = false,
                ValidationError = "certificate is not valid for name matrix.example.org",
                Certificate = new CertificateSummary
                {
                    Subject = "CN=other.example.net",
                    Issuer = "CN=Example CA",
                    SubjectAlternativeNames = ["DNS:other.example.net"],
                    NotBefore = Start.AddDays(-30),
                    NotAfter = Start.AddDays(60),
                    Sha256 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
                },
                Protocol = "TLS 1.2",
                Alpn = "http/1.1",
                ConnectMs = 0.25,
                HandshakeMs = 4,
            },
        ],
    };

    public static ResolveReport Failed() => new()
    {
        ServerName = "broken.example",
        Outcome = "failed",
        StartedAt = Start,
        DurationMs = 2,
        Cache = "bypass",
        Steps =
        [
            new ResolveReportStep
            {
                Name = "well_known",
                Input = "https://broken.example/.well-known/matrix/server",
                Outcome = "permanent_failure",
                Detail = "bypass; HTTP 404; HTTP 404; attempts 1",
                Records = [],
                ExpiresAt = Start.AddHours(1),
                DurationMs = 1,
                WellKnown = new ResolveReportWellKnown
                {
                    Url = "https://broken.example/.well-known/matrix/server",
                    Status = 404,
                    Outcome = "permanent_failure",
                    Failure = "http_status",
                    Message = "HTTP 404",
                    Redirects = [],
                    Attempts = 1,
                },
            },
            new ResolveReportStep
            {
                Name = "srv",
                Input = "_matrix-fed._tcp.broken.example",
                Outcome = "server_failure",
                Detail = "SERVFAIL from 192.0.2.53:53",
                Records = [],
                DurationMs = 1,
            },
        ],
        Error = new ResolveReportError("dns_failed", "srv", "SRV lookup for _matrix-fed._tcp.broken.example failed: server_failure", 502, "M_UNKNOWN"),
    };
}
