namespace FederationEgress.Tests.FrontEnds.Synapse;

/// <summary>What the terminal endpoint (standing in for the forwarding endpoint) received.</summary>
internal sealed record EchoedRequest(
    string Method,
    string RawTarget,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string Body,
    string? Profile,
    IReadOnlyList<string>? ProfileAllowList,
    string? ProfileErrorKey);
