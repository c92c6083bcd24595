namespace FederationEgress.Diagnostics;

/// <summary>
/// Names of the spans the proxy starts on <see cref="EgressTelemetry.ActivitySource"/>. The incoming
/// request span ("Microsoft.AspNetCore") and the outgoing HTTP span ("System.Net.Http") come from the
/// framework; see docs/observability.md for the tree.
/// </summary>
public static class EgressSpanNames
{
    /// <summary>One server-name discovery, cache hits included (tagged <see cref="EgressTagNames.Cache"/>).</summary>
    public const string Resolve = "matrix.resolve";

    /// <summary>Fetching and parsing <c>/.well-known/matrix/server</c>; child of <see cref="Resolve"/>.</summary>
    public const string WellKnown = "matrix.well_known";

    /// <summary>Looking up <c>_matrix-fed._tcp</c> / <c>_matrix._tcp</c> SRV records and their targets; child of <see cref="Resolve"/>.</summary>
    public const string Srv = "matrix.srv";

    /// <summary>One DNS question sent (or answered from the DNS cache); child of the step that asked.</summary>
    public const string DnsQuery = "dns.query";

    /// <summary>Name of the ActivitySource ASP.NET Core uses for the incoming request span.</summary>
    public const string AspNetCoreSource = "Microsoft.AspNetCore";

    /// <summary>Name of the ActivitySource System.Net.Http uses for the outgoing request span.</summary>
    public const string HttpClientSource = "System.Net.Http";
}
