using System.Globalization;
using FederationEgress.Diagnostics.Report;

namespace FederationEgress.Diagnostics.Cli;

/// <summary>
/// Renders a <see cref="ResolveReport"/> for a terminal: a summary line, the steps as a tree, the
/// result, then the TLS checks. Times are UTC ISO 8601, durations in milliseconds; culture-invariant.
/// </summary>
public static class ReportTextWriter
{
    /// <summary>Writes <paramref name="report"/> to <paramref name="output"/>.</summary>
    public static void Write(ResolveReport report, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine($"{report.ServerName}: {report.Outcome} in {Ms(report.DurationMs)} (cache: {report.Cache}, started {Time(report.StartedAt)})");
        output.WriteLine();
        WriteSteps(report.Steps, output);

        if (report.Result is { } result)
        {
            output.WriteLine();
            output.WriteLine("Result");
            Row(output, "step", DiagnosticJsonName(result.Step));
            Row(output, "host header", result.HostHeader);
            Row(output, "tls name", result.TlsName ?? "(none: IP literal, certificate for the IP, no SNI)");
            if (result.DelegatedName is { } delegated)
            {
                Row(output, "delegated to", delegated);
            }

            Row(output, "expires", result.ExpiresAt is { } expires ? Time(expires) : "never");
            for (var i = 0; i < result.Endpoints.Count; i++)
            {
                Row(output, i == 0 ? "endpoints" : string.Empty, $"{i + 1}. {result.Endpoints[i].Address} ({result.Endpoints[i].Target})");
            }
        }

        if (report.Error is { } error)
        {
            output.WriteLine();
            output.WriteLine("Error");
            Row(output, "type", error.Type);
            Row(output, "step", error.Step);
            Row(output, "message", error.Message);
            Row(output, "response", $"{error.Status} {error.Errcode}");
        }

        if (report.WellKnownCache is { } cache)
        {
            output.WriteLine();
            output.WriteLine("Well-known cache");
            Row(output, "delegation", cache.Delegation ?? "(none)");
            Row(output, "last fetch", $"{cache.LastOutcome}{(cache.LastStatus is { } s ? $" (HTTP {s})" : string.Empty)} at {Time(cache.FetchedAt)}");
            Row(output, "expires", Time(cache.ExpiresAt));
            Row(output, "refresh at", Time(cache.RefreshAt));
            if (cache.ConsecutiveFailures > 0)
            {
                Row(output, "failures", cache.ConsecutiveFailures.ToString(CultureInfo.InvariantCulture));
            }
        }

        if (report.TlsChecks is { } checks)
        {
            output.WriteLine();
            output.WriteLine("TLS checks");
            foreach (var check in checks)
            {
                WriteCheck(check, output);
            }
        }
    }

    private static void WriteSteps(IReadOnlyList<ResolveReportStep> steps, TextWriter output)
    {
        output.WriteLine("Steps");
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var last = i == steps.Count - 1;
            output.WriteLine($"{(last ? "└── " : "├── ")}{step.Name} {step.Input} ({Ms(step.DurationMs)})");
            var lines = new List<(string Label, string Value)> { ("outcome", step.Outcome + (step.Stale ? " (stale)" : string.Empty)) };
            if (step.Detail is { Length: > 0 } detail)
            {
                lines.Add(("detail", detail));
            }

            if (step.WellKnown is { } wk)
            {
                if (wk.Status is { } status)
                {
                    lines.Add(("status", status.ToString(CultureInfo.InvariantCulture)));
                }

                if (wk.CacheControl is { } cc)
                {
                    lines.Add(("cache-control", cc));
                }

                if (wk.Expires is { } ex)
                {
                    lines.Add(("expires hdr", ex));
                }

                if (wk.Body is { } body)
                {
                    lines.Add(("body", body.ReplaceLineEndings(" ")));
                }
            }

            foreach (var record in step.Records)
            {
                lines.Add(("record", record));
            }

            if (step.ExpiresAt is { } expiresAt)
            {
                lines.Add(("cached until", Time(expiresAt)));
            }

            var indent = last ? "    " : "│   ";
            for (var j = 0; j < lines.Count; j++)
            {
                var branch = j == lines.Count - 1 ? "└── " : "├── ";
                output.WriteLine($"{indent}{branch}{lines[j].Label,-13} {lines[j].Value}");
            }
        }

        if (steps.Count == 0)
        {
            output.WriteLine("└── (none)");
        }
    }

    private static void WriteCheck(EndpointTlsCheck check, TextWriter output)
    {
        var summary = check.Outcome;
        if (check.Protocol is { } protocol)
        {
            summary += $", {protocol}";
        }

        if (check.Alpn is { } alpn)
        {
            summary += $", ALPN {alpn}";
        }

        if (check.HandshakeMs is { } handshake)
        {
            summary += $", handshake {Ms(handshake)}";
        }

        output.WriteLine($"  {check.Endpoint}  {summary}");
        Row(output, "tls name", check.TlsName + (check.Sni ? " (SNI)" : " (no SNI)"), indent: 4);
        if (check.Error is { } error)
        {
            Row(output, "error", error, indent: 4);
        }

        if (check.ValidationError is { } validation)
        {
            Row(output, "invalid", validation, indent: 4);
        }

        if (check.Certificate is { } cert)
        {
            Row(output, "subject", cert.Subject, indent: 4);
            Row(output, "SANs", cert.SubjectAlternativeNames.Count == 0 ? "(none)" : string.Join(", ", cert.SubjectAlternativeNames), indent: 4);
            Row(output, "issuer", cert.Issuer, indent: 4);
            Row(output, "valid", $"{Time(cert.NotBefore)} to {Time(cert.NotAfter)}", indent: 4);
            Row(output, "sha256", cert.Sha256, indent: 4);
        }
    }

    private static void Row(TextWriter output, string label, string value, int indent = 2) =>
        output.WriteLine($"{new string(' ', indent)}{label,-13} {value}");

    private static string DiagnosticJsonName(Discovery.DiscoveryStep step) => EgressTagValues.Step(step);

    private static string Ms(double milliseconds) => milliseconds.ToString("0.###", CultureInfo.InvariantCulture) + " ms";

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
