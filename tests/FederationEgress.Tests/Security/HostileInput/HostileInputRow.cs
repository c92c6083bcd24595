namespace FederationEgress.Tests.Security.HostileInput;

/// <summary>
/// One hostile request: the raw request bytes, the status expected, and – when the proxy itself
/// answers (not Kestrel's HTTP parser) – the JSON reason and a substring naming what was wrong.
/// </summary>
internal sealed record HostileInputRow(string Request, int Status, string? Reason = null, string? ErrorContains = null);
