using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FederationEgress.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FederationEgress.Security.Tls;

/// <inheritdoc cref="ITlsPolicy"/>
internal sealed partial class TlsPolicy : ITlsPolicy
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    private readonly TrustAnchors _anchors;
    private readonly SkipVerificationList _skip;
    private readonly TimeProvider _time;
    private readonly ILogger<TlsPolicy> _logger;

    public TlsPolicy(IOptions<TlsOptions> options, TrustAnchors anchors, TimeProvider time, ILogger<TlsPolicy> logger)
    {
        var value = options.Value;
        _anchors = anchors;
        _time = time;
        _logger = logger;
        EnabledProtocols = TlsOptionsValidator.ParseMinimumVersion(value.MinimumVersion)
            ?? throw new ArgumentException($"Tls:MinimumVersion '{value.MinimumVersion}' is not supported");
        _skip = SkipVerificationList.Parse(value.SkipVerification);
        Log.TrustAnchorsLoaded(_logger, anchors.SystemRootCount, anchors.ExtraRootCount);
    }

    public SslProtocols EnabledProtocols { get; }

    public void ConfigureClientOptions(SslClientAuthenticationOptions options, string? tlsName = null, IPAddress? remoteAddress = null, Action<string>? onFailure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.EnabledSslProtocols = EnabledProtocols;
        options.CertificateRevocationCheckMode = X509RevocationMode.NoCheck;
        // SslStream's own chain gets no roots: it is cheap and always reports an untrusted root.
        // The verdict is the validation callback's, over the roots that can issue the presented
        // chain (TrustAnchors): a system-trust chain would copy every system root per handshake.
        options.CertificateChainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            DisableCertificateDownloads = true,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        if (!string.IsNullOrEmpty(tlsName))
        {
            // An IP literal as TargetHost makes SslStream omit SNI, as the spec requires.
            options.TargetHost = StripBrackets(tlsName);
        }

        options.RemoteCertificateValidationCallback = CreateValidationCallback(remoteAddress, onFailure);
    }

    public RemoteCertificateValidationCallback CreateValidationCallback(IPAddress? remoteAddress = null, Action<string>? onFailure = null) =>
        (sender, certificate, chain, errors) =>
        {
            if (Validate((sender as SslStream)?.TargetHostName, remoteAddress, certificate, chain, errors, out var reason))
            {
                return true;
            }

            onFailure?.Invoke(reason);
            return false;
        };

    public async Task<SslStream> AuthenticateAsClientAsync(Stream transport, string tlsName, IPAddress? remoteAddress, List<SslApplicationProtocol>? applicationProtocols, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentException.ThrowIfNullOrEmpty(tlsName);
        string? failure = null;
        var options = new SslClientAuthenticationOptions { ApplicationProtocols = applicationProtocols };
        ConfigureClientOptions(options, tlsName, remoteAddress, reason => failure = reason);
        var stream = new SslStream(transport, leaveInnerStreamOpen: false);
        try
        {
            await stream.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            var at = remoteAddress is null ? string.Empty : $" at {remoteAddress}";
            throw new EgressException(EgressErrorKind.TlsFailed, "tls", $"TLS handshake with {StripBrackets(tlsName)}{at} failed: {failure ?? e.Message}", e);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public bool Validate(string? tlsName, IPAddress? remoteAddress, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, out string failureReason)
    {
        var name = string.IsNullOrEmpty(tlsName) ? null : StripBrackets(tlsName);
        if (_skip.Matches(name, remoteAddress, out var entry))
        {
            Log.VerificationSkipped(_logger, name, remoteAddress, entry);
            failureReason = string.Empty;
            return true;
        }

        if (Check(name, certificate, chain, errors, out failureReason))
        {
            return true;
        }

        Log.CertificateRejected(_logger, name, remoteAddress, failureReason);
        return false;
    }

    private bool Check(string? name, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, out string failureReason)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            failureReason = "the remote presented no certificate";
            return false;
        }

        if (name is null)
        {
            failureReason = "there is no TLS name to check the certificate against";
            return false;
        }

        using var owned = certificate as X509Certificate2 is null ? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()) : null;
        var leaf = owned ?? (X509Certificate2)certificate;
        var problems = new List<string>(2);

        if (!CertificateNames.Matches(leaf, name, errors, out var nameProblem))
        {
            problems.Add(nameProblem);
        }

        if (!ChainToTrustedRoot(leaf, chain, out var statuses))
        {
            problems.Add(DescribeChain(leaf, statuses));
        }

        failureReason = string.Join("; ", problems);
        return problems.Count == 0;
    }

    // Builds the chain over the presented intermediates and the trusted roots that can issue them
    // (system roots and Tls:ExtraCaFiles alike), whatever SslStream's rootless chain reported.
    private bool ChainToTrustedRoot(X509Certificate2 leaf, X509Chain? peerChain, out X509ChainStatusFlags statuses)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.ApplicationPolicy.Add(ServerAuthentication);
        policy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        if (peerChain is not null)
        {
            // The intermediates the peer sent.
            policy.ExtraStore.AddRange(peerChain.ChainPolicy.ExtraStore);
            foreach (var element in peerChain.ChainElements)
            {
                policy.ExtraStore.Add(element.Certificate);
            }
        }

        _anchors.AddCandidates(policy.ExtraStore.Append(leaf), policy.CustomTrustStore);
        var ok = chain.Build(leaf);
        statuses = Flags(chain);
        foreach (var element in chain.ChainElements)
        {
            if (_anchors.IsDisallowed(element.Certificate))
            {
                statuses |= X509ChainStatusFlags.ExplicitDistrust;
                ok = false;
            }
        }

        return ok;
    }

    private string DescribeChain(X509Certificate2 leaf, X509ChainStatusFlags statuses)
    {
        var parts = new List<string>(3);
        if ((statuses & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            var now = _time.GetUtcNow();
            parts.Add(now < leaf.NotBefore.ToUniversalTime()
                ? $"certificate is not valid before {leaf.NotBefore.ToUniversalTime():u}"
                : $"certificate expired at {leaf.NotAfter.ToUniversalTime():u}");
        }

        if ((statuses & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
        {
            parts.Add($"certificate chain does not lead to a trusted root (issuer '{leaf.Issuer}')");
        }

        if ((statuses & X509ChainStatusFlags.Revoked) != 0)
        {
            parts.Add("certificate is revoked");
        }

        var rest = statuses & ~(X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.UntrustedRoot |
            X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.Revoked |
            X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation);
        if (rest != X509ChainStatusFlags.NoError || parts.Count == 0)
        {
            parts.Add(rest == X509ChainStatusFlags.NoError ? "certificate chain is invalid" : $"certificate chain is invalid ({rest})");
        }

        return string.Join("; ", parts);
    }

    private static X509ChainStatusFlags Flags(X509Chain? chain)
    {
        var flags = X509ChainStatusFlags.NoError;
        if (chain is not null)
        {
            foreach (var status in chain.ChainStatus)
            {
                flags |= status.Status;
            }
        }

        return flags;
    }

    private static string StripBrackets(string name) =>
        name.Length > 2 && name[0] == '[' && name[^1] == ']' ? name[1..^1] : name;

    private static partial class Log
    {
        [LoggerMessage(EventId = 3010, EventName = "TlsCertificateRejected", Level = LogLevel.Warning,
            Message = "TLS certificate of {TlsName} at {RemoteAddress} rejected: {Reason}")]
        public static partial void CertificateRejected(ILogger logger, string? tlsName, IPAddress? remoteAddress, string reason);

        [LoggerMessage(EventId = 3012, EventName = "TlsTrustAnchorsLoaded", Level = LogLevel.Information,
            Message = "TLS trust: {SystemRoots} system roots, {ExtraRoots} extra CAs from Tls:ExtraCaFiles")]
        public static partial void TrustAnchorsLoaded(ILogger logger, int systemRoots, int extraRoots);

        [LoggerMessage(EventId = 3011, EventName = "TlsVerificationSkipped", Level = LogLevel.Debug,
            Message = "TLS verification skipped for {TlsName} at {RemoteAddress}: Tls:SkipVerification entry '{Entry}'")]
        public static partial void VerificationSkipped(ILogger logger, string? tlsName, IPAddress? remoteAddress, string entry);
    }
}
