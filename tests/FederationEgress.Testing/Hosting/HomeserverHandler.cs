using System.Diagnostics;

namespace FederationEgress.Testing.Hosting;

/// <summary>The HTTP handler of a stand-in homeserver talking to the proxy under test.</summary>
public static class HomeserverHandler
{
    /// <summary>
    /// No proxy, redirects or cookies, and no trace context of its own: another test's activity
    /// listener would otherwise make the client inject a <c>traceparent</c>, which the proxy forwards
    /// as received (an end-to-end header), and tests asserting what the remote saw would flake.
    /// </summary>
    public static SocketsHttpHandler Create() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
    };
}
