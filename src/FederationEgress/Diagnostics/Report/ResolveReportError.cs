namespace FederationEgress.Diagnostics.Report;

/// <summary>Why discovery failed, as a forwarded request would report it.</summary>
/// <param name="Type">The <c>error.type</c> value, e.g. "dns_failed".</param>
/// <param name="Step">The pipeline step that failed ("dns", "srv", …).</param>
/// <param name="Message">The human reason.</param>
/// <param name="Status">The HTTP status a forwarded request gets.</param>
/// <param name="Errcode">The Matrix errcode a forwarded request gets.</param>
public sealed record ResolveReportError(string Type, string Step, string Message, int Status, string Errcode);
