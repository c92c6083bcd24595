namespace FederationEgress.Diagnostics.Report;

/// <summary>What an operator needs from a peer certificate.</summary>
public sealed record CertificateSummary
{
    /// <summary>Subject distinguished name.</summary>
    public required string Subject { get; init; }

    /// <summary>Issuer distinguished name.</summary>
    public required string Issuer { get; init; }

    /// <summary>Subject alternative names: "DNS:example.org", "IP:192.0.2.1".</summary>
    public required IReadOnlyList<string> SubjectAlternativeNames { get; init; }

    /// <summary>Start of validity.</summary>
    public required DateTimeOffset NotBefore { get; init; }

    /// <summary>End of validity.</summary>
    public required DateTimeOffset NotAfter { get; init; }

    /// <summary>SHA-256 fingerprint (hex).</summary>
    public required string Sha256 { get; init; }
}
