using System.Net;
using FederationEgress.Testing.Dns;

namespace FederationEgress.Tests.Security.Ssrf;

/// <summary>
/// One SSRF corpus row: the destination as the homeserver names it (<c>{port}</c> is replaced by
/// the canary's port), the DNS records behind it, and the expected refusal.
/// </summary>
/// <param name="ServerName">First path segment; <c>{port}</c> becomes the canary's port.</param>
/// <param name="Canary">A forbidden address this row's traffic would reach if the policy failed (bindable loopback only).</param>
/// <param name="Dns">Records to add; gets the canary port.</param>
/// <param name="Status">Expected HTTP status.</param>
/// <param name="Reason">Expected "reason" (error kind).</param>
/// <param name="ErrorContains">A substring the "error" text must contain (what was wrong).</param>
internal sealed record SsrfRow(
    string ServerName,
    IPAddress? Canary,
    Action<ScriptedDnsServer, int>? Dns,
    int Status,
    string Reason,
    string ErrorContains);
