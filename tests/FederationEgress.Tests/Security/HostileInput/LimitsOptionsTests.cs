using FederationEgress.Hosting;
using Microsoft.Extensions.Options;

namespace FederationEgress.Tests.Security.HostileInput;

/// <summary>The limits added for issue 5: safe defaults, and a bad value names its key.</summary>
public sealed class LimitsOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedSafeValues()
    {
        var options = new LimitsOptions();

        Assert.Equal(256, options.MaxConcurrentRequestsPerDestination);
        Assert.Equal(30, options.RequestHeadersTimeoutSeconds);
    }

    [Theory]
    [InlineData("MaxConcurrentRequestsPerDestination")]
    [InlineData("RequestHeadersTimeoutSeconds")]
    public void Validate_ZeroLimit_FailsNamingTheKey(string key)
    {
        var options = new LimitsOptions();
        typeof(LimitsOptions).GetProperty(key)!.SetValue(options, 0);

        var result = ((IValidateOptions<LimitsOptions>)new HostingOptionsValidator()).Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"Limits:{key} must be > 0", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void DestinationLimit_ReleasedSlots_AreReusableAndPerName()
    {
        var limit = new DestinationConcurrencyLimit(Options.Create(new LimitsOptions { MaxConcurrentRequestsPerDestination = 2 }));

        Assert.True(limit.TryAcquire("a.test"));
        Assert.True(limit.TryAcquire("A.TEST"));
        Assert.False(limit.TryAcquire("a.test"));
        Assert.True(limit.TryAcquire("b.test"));
        limit.Release("a.test");
        Assert.True(limit.TryAcquire("a.test"));
    }
}
