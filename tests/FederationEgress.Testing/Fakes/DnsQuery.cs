namespace FederationEgress.Testing.Fakes;

/// <summary>One question asked of <see cref="ScriptedDnsResolver"/>.</summary>
/// <param name="Type">"ADDR" (AAAA+A via ResolveAddressesAsync) or "SRV".</param>
/// <param name="Name">The name asked, exactly as passed.</param>
public sealed record DnsQuery(string Type, string Name);
