using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace FederationEgress.Forwarding.Upstream;

/// <summary>
/// Interim TLS policy: the platform's validation (system roots, name or IP for the Host name), and
/// when only the chain failed, a second chain build that trusts the operator's extra CA files.
/// Nothing ever skips validation here; the security area's policy adds the skip list.
/// </summary>
internal sealed class ExtraCaCertificateValidator : IUpstreamCertificateValidator
{
    private readonly X509Certificate2Collection _extraRoots;
    private readonly TimeProvider _timeProvider;

    public ExtraCaCertificateValidator(IOptions<ExtraCaOptions> options, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _extraRoots = [];
        foreach (var file in options.Value.ExtraCaFiles)
        {
            _extraRoots.AddRange(LoadPem(file));
        }
    }

    /// <summary>Reads every certificate in a PEM file (empty when there is none).</summary>
    internal static X509Certificate2Collection LoadPem(string path)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(path);
        }
        catch (CryptographicException)
        {
            // Not PEM: reported by the options validator as "contains no PEM certificate".
        }

        return collection;
    }

    public bool Validate(in UpstreamTlsContext context, X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors platformErrors, out string reason)
    {
        if (platformErrors == SslPolicyErrors.None)
        {
            reason = string.Empty;
            return true;
        }

        if (certificate is null || platformErrors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            reason = "the server presented no certificate";
            return false;
        }

        if (platformErrors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            reason = $"the certificate is not valid for '{context.TargetHost}'";
            return false;
        }

        if (_extraRoots.Count == 0)
        {
            reason = Describe(chain?.ChainStatus);
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_extraRoots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.VerificationTime = _timeProvider.GetUtcNow().UtcDateTime;
        if (chain is not null)
        {
            // Intermediates the server sent are only in the original chain's extra store.
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
        }

        if (custom.Build(certificate))
        {
            reason = string.Empty;
            return true;
        }

        reason = Describe(custom.ChainStatus);
        return false;
    }

    private static string Describe(X509ChainStatus[]? statuses)
    {
        if (statuses is null || statuses.Length == 0)
        {
            return "the certificate chain is not trusted";
        }

        foreach (var status in statuses)
        {
            if (status.Status.HasFlag(X509ChainStatusFlags.NotTimeValid))
            {
                return "the certificate has expired or is not yet valid";
            }
        }

        foreach (var status in statuses)
        {
            if (status.Status.HasFlag(X509ChainStatusFlags.UntrustedRoot) || status.Status.HasFlag(X509ChainStatusFlags.PartialChain))
            {
                return "the certificate is not issued by a trusted CA";
            }
        }

        return $"the certificate chain is invalid ({statuses[0].Status})";
    }
}
