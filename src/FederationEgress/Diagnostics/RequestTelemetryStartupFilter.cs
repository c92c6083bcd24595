using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace FederationEgress.Diagnostics;

/// <summary>Puts <see cref="RequestTelemetryMiddleware"/> first in every pipeline, so Program.cs needs no Use call.</summary>
internal sealed class RequestTelemetryStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<RequestTelemetryMiddleware>();
        next(app);
    };
}
