using System.Text.Json;
using FederationEgress.Discovery;
using FederationEgress.Discovery.WellKnown;
using FederationEgress.Errors;

namespace FederationEgress.Diagnostics.Report;

/// <summary>Turns the resolver's <see cref="DiscoveryReport"/> into the operator-facing <see cref="ResolveReport"/>.</summary>
internal static class ResolveReportFactory
{
    /// <summary>Converts <paramref name="report"/>; <paramref name="askedName"/> is the name as the operator typed it.</summary>
    public static ResolveReport Create(string askedName, DiscoveryReport report, IReadOnlyList<EndpointTlsCheck>? tlsChecks = null) => new()
    {
        ServerName = askedName,
        Outcome = report.Resolution is null ? "failed" : "resolved",
        StartedAt = report.StartedAt,
        DurationMs = Milliseconds(report.Duration),
        Cache = report.Cache,
        Steps = report.Steps.Select(Step).ToArray(),
        Result = report.Resolution is { } r ? Result(r) : null,
        Error = report.Error is { } e
            ? new ResolveReportError(EgressErrorMapper.TypeName(e.Kind), e.Step, e.Message, EgressErrorMapper.StatusCode(e.Kind), EgressErrorMapper.ErrCode(e.Kind))
            : null,
        WellKnownCache = report.WellKnownCacheEntry is { } entry ? Cache(entry) : null,
        TlsChecks = tlsChecks,
    };

    private static ResolveReportStep Step(DiscoveryTraceStep step) => new()
    {
        Name = step.Name,
        Input = step.Input,
        Outcome = step.Outcome,
        Detail = step.Detail,
        Records = step.Records,
        ExpiresAt = step.ExpiresAt,
        Stale = step.Stale,
        DurationMs = Milliseconds(step.Duration),
        WellKnown = step.WellKnown is { } fetch ? WellKnown(fetch) : null,
    };

    private static ResolveReportWellKnown WellKnown(WellKnownFetchResult fetch) => new()
    {
        Url = fetch.Url,
        Status = fetch.StatusCode,
        Outcome = fetch.OutcomeName,
        Failure = fetch.Failure == WellKnownFailure.None ? null : JsonNamingPolicy.SnakeCaseLower.ConvertName(fetch.Failure.ToString()),
        Message = fetch.Message,
        MServer = fetch.Delegation?.Value,
        Body = fetch.Body,
        CacheControl = fetch.CacheControl,
        Expires = fetch.Expires,
        HeaderCacheSeconds = fetch.HeaderCachePeriod?.TotalSeconds,
        Redirects = fetch.Redirects,
        Attempts = fetch.Attempts,
    };

    private static ResolveReportResult Result(Resolution resolution) => new()
    {
        Step = resolution.Step,
        HostHeader = resolution.HostHeader,
        TlsName = resolution.TlsName,
        DelegatedName = resolution.DelegatedName,
        Endpoints = resolution.Endpoints.Select(e => new ResolveReportEndpoint(e.EndPoint.ToString(), e.Target)).ToArray(),
        ExpiresAt = resolution.ExpiresAt,
    };

    private static ResolveReportWellKnownCache Cache(WellKnownCacheEntry entry) => new()
    {
        Delegation = entry.Delegation?.Value,
        FetchedAt = entry.FetchedAt,
        ExpiresAt = entry.ExpiresAt,
        RefreshAt = entry.RefreshAt,
        ConsecutiveFailures = entry.ConsecutiveFailures,
        LastOutcome = entry.LastFetch.OutcomeName,
        LastStatus = entry.LastFetch.StatusCode,
    };

    // Three decimals: microsecond resolution is plenty for operators and keeps the JSON short.
    private static double Milliseconds(TimeSpan span) => Math.Round(span.TotalMilliseconds, 3);
}
