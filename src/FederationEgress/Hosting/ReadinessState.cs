using System.Diagnostics.CodeAnalysis;

namespace FederationEgress.Hosting;

/// <summary>
/// Whether the proxy takes traffic: false until started (configuration loaded and validated), false
/// again once shutdown begins, and false while any registered <see cref="IReadinessCheck"/> fails.
/// </summary>
public sealed class ReadinessState
{
    private readonly IReadinessCheck[] _checks;
    private volatile int _phase;

    /// <summary>Readiness without extra checks.</summary>
    public ReadinessState()
        : this([])
    {
    }

    /// <summary>Readiness that also requires every one of <paramref name="checks"/>.</summary>
    public ReadinessState(IEnumerable<IReadinessCheck> checks)
    {
        _checks = checks.ToArray();
    }

    /// <summary>True between start-up and the beginning of shutdown, when every check passes.</summary>
    public bool IsReady => TryGetNotReadyReason(out _) is false;

    /// <summary>True, with the reason, when the proxy is not ready ("starting", "draining", or a failed check's reason).</summary>
    public bool TryGetNotReadyReason([NotNullWhen(true)] out string? reason)
    {
        switch (_phase)
        {
            case Starting:
                reason = "starting";
                return true;
            case Draining:
                reason = "draining";
                return true;
        }

        foreach (var check in _checks)
        {
            if (!check.IsReady(out reason))
            {
                return true;
            }
        }

        reason = null;
        return false;
    }

    internal void MarkReady() => _phase = Running;

    internal void MarkDraining() => _phase = Draining;

    private const int Starting = 0;
    private const int Running = 1;
    private const int Draining = 2;
}
