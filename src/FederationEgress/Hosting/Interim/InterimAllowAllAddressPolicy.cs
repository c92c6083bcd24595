using System.Net;
using FederationEgress.Security;

namespace FederationEgress.Hosting.Interim;

/// <summary>
/// Stand-in for the security area's address policy until it is merged: denies nothing except the
/// unspecified addresses. The real policy (Synapse's default deny list) must replace it.
/// </summary>
internal sealed class InterimAllowAllAddressPolicy : IEgressAddressPolicy
{
    public bool IsAllowed(IPAddress address, out string reason)
    {
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            reason = "the unspecified address is never dialled";
            return false;
        }

        reason = string.Empty;
        return true;
    }
}
