using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace FederationEgress.Security.Tls;

/// <summary>
/// The roots a server certificate may chain to: the system's trusted roots plus
/// <c>Tls:ExtraCaFiles</c>, indexed by subject so each handshake builds its chain over only the
/// roots that can issue it.
/// </summary>
/// <remarks>
/// A chain built in <see cref="X509ChainTrustMode.System"/> mode copies every system root (about 140)
/// into a fresh OpenSSL store, one insertion at a time, each re-sorting the store: that was the
/// largest cost of a new outbound connection (docs/benchmarks.md, cold path). Handing the chain
/// builder the few roots whose subject is the issuer of a presented certificate gives the same
/// verdict: a chain can only end at such a root.
/// </remarks>
internal sealed class TrustAnchors
{
    /// <summary>How often the system roots are re-read, so an updated CA bundle is picked up without a restart.</summary>
    internal static readonly TimeSpan SystemRootsRefreshInterval = TimeSpan.FromMinutes(5);

    // Roots can be cross-signed or an operator's CA may be an intermediate: follow issuers of
    // matched anchors this many steps.
    private const int MaxIssuerSteps = 4;

    private readonly X509Certificate2Collection _extraRoots;
    private readonly Func<X509Certificate2Collection> _loadSystemRoots;
    private readonly Func<X509Certificate2Collection> _loadDisallowed;
    private readonly TimeProvider _time;
    private volatile Snapshot _snapshot;
    private int _refreshing;

    public TrustAnchors(IOptions<TlsOptions> options, TimeProvider time)
        : this(LoadExtraRoots(options.Value), LoadSystemRoots, time, LoadDisallowed)
    {
    }

    internal TrustAnchors(X509Certificate2Collection extraRoots, Func<X509Certificate2Collection> systemRoots, TimeProvider time, Func<X509Certificate2Collection>? disallowed = null)
    {
        _extraRoots = extraRoots;
        _loadSystemRoots = systemRoots;
        _loadDisallowed = disallowed ?? (static () => []);
        _time = time;
        _snapshot = Load();
    }

    /// <summary>Number of the operator's extra CAs (<c>Tls:ExtraCaFiles</c>).</summary>
    public int ExtraRootCount => _extraRoots.Count;

    /// <summary>Number of system roots in the current snapshot.</summary>
    public int SystemRootCount => _snapshot.SystemRootCount;

    /// <summary>
    /// Adds to <paramref name="into"/> every trusted root whose subject is the issuer of one of
    /// <paramref name="presented"/> (the leaf and the intermediates the peer sent), and the roots
    /// issuing those, up to a few steps.
    /// </summary>
    public void AddCandidates(IEnumerable<X509Certificate2> presented, X509Certificate2Collection into)
    {
        var snapshot = Current();
        var issuers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var certificate in presented)
        {
            issuers.Add(certificate.IssuerName.Name);
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var step = 0; step < MaxIssuerSteps && issuers.Count > 0; step++)
        {
            var next = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var issuer in issuers)
            {
                if (!seen.Add(issuer) || !snapshot.BySubject.TryGetValue(issuer, out var roots))
                {
                    continue;
                }

                foreach (var root in roots)
                {
                    into.Add(root);
                    next.Add(root.IssuerName.Name);
                }
            }

            issuers = next;
        }
    }

    /// <summary>
    /// True when <paramref name="certificate"/> is in the Disallowed store, which system trust
    /// honours for every element of a chain.
    /// </summary>
    public bool IsDisallowed(X509Certificate2 certificate) => _snapshot.Disallowed.Contains(certificate.Thumbprint);

    /// <summary>
    /// The roots .NET's system trust uses: the machine's (OpenSSL's default CA file and directory,
    /// or SSL_CERT_FILE/SSL_CERT_DIR) and the user's .NET Root store.
    /// </summary>
    internal static X509Certificate2Collection LoadSystemRoots()
    {
        using var machine = new X509Store(StoreName.Root, StoreLocation.LocalMachine);
        machine.Open(OpenFlags.ReadOnly);
        var roots = machine.Certificates;
        try
        {
            using var user = new X509Store(StoreName.Root, StoreLocation.CurrentUser);
            user.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            roots.AddRange(user.Certificates);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            // No user Root store (the usual case).
        }

        return roots;
    }

    private static X509Certificate2Collection LoadDisallowed()
    {
        using var store = new X509Store(StoreName.Disallowed, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
        return store.Certificates;
    }

    private static X509Certificate2Collection LoadExtraRoots(TlsOptions options)
    {
        var roots = new X509Certificate2Collection();
        for (var i = 0; i < options.ExtraCaFiles.Count; i++)
        {
            roots.AddRange(TlsOptionsValidator.LoadCaFile(options.ExtraCaFiles[i], i));
        }

        return roots;
    }

    private Snapshot Current()
    {
        var snapshot = _snapshot;
        if (_time.GetTimestamp() - snapshot.LoadedAt < (long)(SystemRootsRefreshInterval.TotalSeconds * _time.TimestampFrequency)
            || Interlocked.Exchange(ref _refreshing, 1) != 0)
        {
            return snapshot;
        }

        try
        {
            // One caller re-reads (the runtime caches the files and only re-parses them when they
            // changed); the others keep using the previous snapshot meanwhile.
            _snapshot = snapshot = Load();
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            // An unreadable bundle mid-update keeps the roots already known.
            _snapshot = snapshot = snapshot with { LoadedAt = _time.GetTimestamp() };
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }

        return snapshot;
    }

    private Snapshot Load()
    {
        var system = _loadSystemRoots();
        var disallowed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            foreach (var certificate in _loadDisallowed())
            {
                disallowed.Add(certificate.Thumbprint);
            }
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            // No Disallowed store for this user (the usual case).
        }

        var bySubject = new Dictionary<string, List<X509Certificate2>>(StringComparer.OrdinalIgnoreCase);
        foreach (var root in system.Concat(_extraRoots))
        {
            if (disallowed.Contains(root.Thumbprint))
            {
                continue;
            }

            var subject = root.SubjectName.Name;
            if (!bySubject.TryGetValue(subject, out var list))
            {
                bySubject[subject] = list = new List<X509Certificate2>(1);
            }

            list.Add(root);
        }

        return new Snapshot(bySubject.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.OrdinalIgnoreCase), disallowed, system.Count, _time.GetTimestamp());
    }

    private sealed record Snapshot(Dictionary<string, X509Certificate2[]> BySubject, HashSet<string> Disallowed, int SystemRootCount, long LoadedAt);
}
