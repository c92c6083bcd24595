using FederationEgress.Errors;
using FederationEgress.Forwarding;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FederationEgress.Hosting;

/// <summary>Caps requests in flight on the forwarding listener (Limits:MaxConcurrentRequests).</summary>
internal sealed class ConcurrencyLimit
{
    private readonly int _max;
    private readonly IEgressForwarder _forwarder;
    private int _inFlight;

    public ConcurrencyLimit(IOptions<LimitsOptions> options, IEgressForwarder forwarder)
    {
        _max = options.Value.MaxConcurrentRequests;
        _forwarder = forwarder;
    }

    /// <summary>Requests currently in flight.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (Interlocked.Increment(ref _inFlight) > _max)
        {
            Interlocked.Decrement(ref _inFlight);
            await _forwarder.WriteErrorAsync(
                context,
                new EgressError(EgressErrorKind.Overloaded, "admission", $"more than {_max} requests in flight"),
                serverName: null);
            return;
        }

        try
        {
            await next(context);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
