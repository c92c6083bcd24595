using System.Net;
using FederationEgress.Security;

namespace FederationEgress.Testing.Fakes;

/// <summary>
/// A test address policy: addresses in a deny range are refused; when allow ranges are given,
/// only addresses inside one of them are permitted. Deny wins over allow.
/// </summary>
public sealed class RangeAddressPolicy : IEgressAddressPolicy
{
    private readonly IPNetwork[] _allow;
    private readonly IPNetwork[] _deny;

    public RangeAddressPolicy(IEnumerable<string>? allow = null, IEnumerable<string>? deny = null)
    {
        _allow = (allow ?? []).Select(IPNetwork.Parse).ToArray();
        _deny = (deny ?? []).Select(IPNetwork.Parse).ToArray();
    }

    /// <summary>Permits loopback (127.0.0.0/8, ::1) except the given deny ranges.</summary>
    public static RangeAddressPolicy LoopbackExcept(params string[] deny) => new(["127.0.0.0/8", "::1/128"], deny);

    /// <summary>Addresses checked so far, in order.</summary>
    public List<IPAddress> Checked { get; } = [];

    public bool IsAllowed(IPAddress address, out string reason)
    {
        lock (Checked)
        {
            Checked.Add(address);
        }

        foreach (var range in _deny)
        {
            if (range.Contains(address))
            {
                reason = $"{range} is denied (test policy)";
                return false;
            }
        }

        if (_allow.Length > 0 && !_allow.Any(r => r.Contains(address)))
        {
            reason = "not in an allowed range (test policy)";
            return false;
        }

        reason = string.Empty;
        return true;
    }
}
