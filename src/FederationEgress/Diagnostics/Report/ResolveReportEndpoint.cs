namespace FederationEgress.Diagnostics.Report;

/// <summary>One endpoint of a resolution.</summary>
/// <param name="Address">"ip:port" ("[v6]:port").</param>
/// <param name="Target">The name the address came from (SRV target or host name).</param>
public sealed record ResolveReportEndpoint(string Address, string Target);
