using System.Diagnostics.CodeAnalysis;

namespace FederationEgress.Hosting;

/// <summary>A condition /readyz requires besides "started and not draining" (e.g. a usable DNS client).</summary>
public interface IReadinessCheck
{
    /// <summary>True when this part of the proxy can serve traffic; otherwise <paramref name="reason"/> says why not.</summary>
    bool IsReady([NotNullWhen(false)] out string? reason);
}
