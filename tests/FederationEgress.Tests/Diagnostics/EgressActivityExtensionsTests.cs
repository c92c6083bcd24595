using System.Diagnostics;
using System.Net;
using FederationEgress.Diagnostics;
using FederationEgress.Discovery;
using FederationEgress.Errors;
using FederationEgress.ServerNames;

namespace FederationEgress.Tests.Diagnostics;

public sealed class EgressActivityExtensionsTests : IDisposable
{
    // A private source with its own listener: tags are only written on spans someone records.
    private readonly ActivitySource _source = new("FederationEgress.Tests." + Guid.NewGuid().ToString("N"));
    private readonly ActivityListener _listener;

    public EgressActivityExtensionsTests()
    {
        var name = _source.Name;
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == name,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _source.Dispose();
    }

    [Fact]
    public void SetServerName_ActivityNobodyListensTo_LeavesItUntagged()
    {
        // What ASP.NET Core and HttpClient create for log correlation when no exporter is configured.
        using var activity = new Activity("incoming").Start();

        activity.SetServerName(ServerName.Parse("example.org:8448"));
        activity.SetResolution(new Resolution(ServerName.Parse("example.org"), DiscoveryStep.DefaultPort, [], "example.org", "example.org"));

        Assert.Empty(activity.TagObjects);
    }

    [Fact]
    public void SetResolution_IpLiteral_NoTlsNameNoDelegationEndpointsInOrder()
    {
        using var activity = _source.StartActivity(EgressSpanNames.Resolve)!;
        var resolution = new Resolution(
            ServerName.Parse("[2001:db8::1]:8448"),
            DiscoveryStep.IpLiteral,
            [new ResolvedEndpoint(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 8448), "[2001:db8::1]")],
            hostHeader: "[2001:db8::1]:8448",
            tlsName: null);

        activity.SetResolution(resolution);

        Assert.Equal("ip_literal", activity.GetTagItem(EgressTagNames.DiscoveryStep));
        Assert.Equal("[2001:db8::1]:8448", activity.GetTagItem(EgressTagNames.HostHeader));
        Assert.Null(activity.GetTagItem(EgressTagNames.TlsName));
        Assert.Null(activity.GetTagItem(EgressTagNames.DelegatedName));
        Assert.Equal(new[] { "[2001:db8::1]:8448" }, activity.GetTagItem(EgressTagNames.Endpoints));
    }

    [Fact]
    public void SetResolution_NotRecorded_LeavesSpanUntouched()
    {
        using var activity = new Activity(EgressSpanNames.Resolve) { IsAllDataRequested = false }.Start();

        activity.SetResolution(new Resolution(ServerName.Parse("example.org"), DiscoveryStep.DefaultPort, [], "example.org", "example.org"));

        Assert.Empty(activity.TagObjects);
    }

    [Fact]
    public void SetEgressError_Kind_ErrorTypeAndStatusWithReason()
    {
        using var activity = new Activity(EgressSpanNames.Resolve).Start();

        activity.SetEgressError(new EgressError(EgressErrorKind.NoAddresses, "dns", "no A/AAAA records for example.org"));

        Assert.Equal("no_addresses", activity.GetTagItem(EgressTagNames.ErrorType));
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
        Assert.Equal("dns: no A/AAAA records for example.org", activity.StatusDescription);
    }

    [Fact]
    public void SetServerName_IdnaName_TagsValueAsSent()
    {
        using var activity = _source.StartActivity("incoming")!;

        activity.SetServerName(ServerName.Parse("example.org:8448"));

        Assert.Equal("example.org:8448", activity.GetTagItem(EgressTagNames.ServerName));
    }

    [Fact]
    public void Extensions_NullActivity_NoOp()
    {
        Activity? none = null;

        Assert.Null(none.SetCacheOutcome(EgressTagValues.CacheHit));
        Assert.Null(none.SetEgressError(new EgressError(EgressErrorKind.Timeout, "connect", "timed out")));
        Assert.Null(none.SetResolution(new Resolution(ServerName.Parse("example.org"), DiscoveryStep.DefaultPort, [], "example.org", "example.org")));
    }
}
