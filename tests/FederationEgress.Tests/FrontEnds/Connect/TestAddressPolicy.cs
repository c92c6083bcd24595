using System.Collections.Concurrent;
using System.Net;
using FederationEgress.Security;

namespace FederationEgress.Tests.FrontEnds.Connect;

/// <summary>
/// Allows loopback (the tests' "allow range for 127.0.0.0/8") except addresses a test marks as
/// inward; denies everything that is not loopback, so a test can never dial out.
/// </summary>
internal sealed class TestAddressPolicy : IEgressAddressPolicy
{
    private readonly ConcurrentDictionary<IPAddress, bool> _denied = new();

    public void Deny(IPAddress address) => _denied[address] = true;

    public bool IsAllowed(IPAddress address, out string reason)
    {
        if (!IPAddress.IsLoopback(address))
        {
            reason = "not loopback (tests only dial loopback)";
            return false;
        }

        if (_denied.ContainsKey(address))
        {
            reason = $"{address}/32 (inward) is denied";
            return false;
        }

        reason = string.Empty;
        return true;
    }
}
