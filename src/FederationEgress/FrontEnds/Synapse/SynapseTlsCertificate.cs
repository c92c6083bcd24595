using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace FederationEgress.FrontEnds.Synapse;

/// <summary>
/// The Synapse listener's TLS certificate, loaded from a PEM certificate and key and reloaded when
/// either file changes (cert-manager and similar rotate them in place). A reload that fails keeps
/// serving the previous certificate and logs why.
/// </summary>
internal sealed partial class SynapseTlsCertificate
{
    private readonly string _certificateFile;
    private readonly string _keyFile;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private X509Certificate2 _current;
    private (DateTime Certificate, DateTime Key) _loadedStamps;

    private SynapseTlsCertificate(string certificateFile, string keyFile, X509Certificate2 certificate, ILogger logger)
    {
        _certificateFile = certificateFile;
        _keyFile = keyFile;
        _current = certificate;
        _loadedStamps = Stamps(certificateFile, keyFile);
        _logger = logger;
    }

    /// <summary>The configured certificate, or null when the listener is plain TCP.</summary>
    public static SynapseTlsCertificate? FromOptions(SynapseFrontEndOptions options, ILogger logger)
    {
        if (string.IsNullOrEmpty(options.TlsCertificateFile) || string.IsNullOrEmpty(options.TlsKeyFile))
        {
            return null;
        }

        // Options validation already loaded the pair once, so a failure here is a file changed in between.
        return TryLoad(options.TlsCertificateFile, options.TlsKeyFile, out var certificate, out var error)
            ? new SynapseTlsCertificate(options.TlsCertificateFile, options.TlsKeyFile, certificate, logger)
            : throw new InvalidOperationException($"Synapse:TlsCertificateFile '{options.TlsCertificateFile}': {error}");
    }

    /// <summary>Loads a PEM certificate and its key; false with the reason when they do not load or do not match.</summary>
    public static bool TryLoad(string certificateFile, string keyFile, [NotNullWhen(true)] out X509Certificate2? certificate, [NotNullWhen(false)] out string? error)
    {
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            certificate = null;
            error = ex.Message;
            return false;
        }
    }

    /// <summary>The certificate to present now (reloaded first if either file changed).</summary>
    public X509Certificate2 Current
    {
        get
        {
            var stamps = Stamps(_certificateFile, _keyFile);
            if (stamps == _loadedStamps)
            {
                return _current;
            }

            lock (_gate)
            {
                if (stamps != _loadedStamps)
                {
                    Reload(stamps);
                }

                return _current;
            }
        }
    }

    private void Reload((DateTime, DateTime) stamps)
    {
        // Remember the attempt either way: a broken pair is retried when the files change again.
        _loadedStamps = stamps;
        if (TryLoad(_certificateFile, _keyFile, out var certificate, out var error))
        {
            _current = certificate;
            Log.Reloaded(_logger, _certificateFile, certificate.Subject, certificate.NotAfter.ToUniversalTime());
        }
        else
        {
            Log.ReloadFailed(_logger, _certificateFile, error);
        }
    }

    private static (DateTime Certificate, DateTime Key) Stamps(string certificateFile, string keyFile) =>
        (File.GetLastWriteTimeUtc(certificateFile), File.GetLastWriteTimeUtc(keyFile));

    private static partial class Log
    {
        [LoggerMessage(6030, LogLevel.Information, "Synapse listener certificate reloaded from {File}: {Subject}, valid until {NotAfter:u}")]
        public static partial void Reloaded(ILogger logger, string file, string subject, DateTime notAfter);

        [LoggerMessage(6031, LogLevel.Error, "Synapse listener certificate in {File} could not be reloaded ({Reason}); still serving the previous one")]
        public static partial void ReloadFailed(ILogger logger, string file, string reason);
    }
}
