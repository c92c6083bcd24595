using FederationEgress.Discovery;
using FederationEgress.Discovery.WellKnown;

namespace FederationEgress.Tests.Discovery;

/// <summary>CA-03..CA-06: cache periods from headers (Synapse's TestCachePeriodFromHeaders) and their clamp.</summary>
public sealed class CachePeriodParserTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_548_833_700);

    [Theory] // CA-05
    [InlineData("foo, Max-Age = 100, bar", 100)]
    [InlineData("max-age=, bar", null)]
    [InlineData("private; max-age=0", null)]
    [InlineData("max-age=0, private, must-revalidate", 0)]
    [InlineData("private, max-age=0", 0)]
    [InlineData("max-age=1000", 1000)]
    [InlineData("MAX-AGE=7", 7)]
    [InlineData("max-age=abc", null)]
    [InlineData("max-age=10.5", null)]
    [InlineData("max-age=-5", -5)]
    [InlineData("public", null)]
    [InlineData("no-store", 0)]
    [InlineData("max-age=1000, no-store", 0)]
    [InlineData("No-Cache", 0)]
    public void FromHeaders_CacheControl_GivesThePeriodSynapseWould(string cacheControl, int? expectedSeconds)
    {
        var period = CachePeriodParser.FromHeaders([cacheControl], null, Now);

        Assert.Equal(expectedSeconds is null ? null : TimeSpan.FromSeconds(expectedSeconds.Value), period);
    }

    [Fact]
    public void FromHeaders_MaxAgeBeyondLong_IsAVeryLongPeriod()
    {
        var period = CachePeriodParser.FromHeaders(["max-age=99999999999999999999999"], null, Now);

        Assert.True(period > TimeSpan.FromDays(365));
    }

    [Fact]
    public void FromHeaders_SeveralCacheControlHeaders_AreCombined()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), CachePeriodParser.FromHeaders(["private", "max-age=30"], null, Now));
    }

    [Theory] // CA-06
    [InlineData(null, "Wed, 30 Jan 2019 07:35:33 GMT", 33)]
    [InlineData("max-age=10", "Wed, 30 Jan 2019 07:35:33 GMT", 10)]
    [InlineData(null, "0", 0)]
    [InlineData(null, "not a date", 0)]
    [InlineData(null, "Wednesday, 30-Jan-19 07:35:33 GMT", 33)]
    [InlineData(null, "Wed Jan 30 07:35:33 2019", 33)]
    [InlineData(null, "Wed, 30 Jan 2019 07:34:00 GMT", -60)]
    [InlineData("max-age=, x", "Wed, 30 Jan 2019 07:35:33 GMT", 33)]
    public void FromHeaders_Expires_GivesTheRemainingTimeAndMaxAgeWins(string? cacheControl, string expires, int expectedSeconds)
    {
        var period = CachePeriodParser.FromHeaders(cacheControl is null ? null : [cacheControl], expires, Now);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), period);
    }

    [Fact]
    public void FromHeaders_NoHeaders_GivesNull()
    {
        Assert.Null(CachePeriodParser.FromHeaders(null, null, Now));
    }

    [Theory] // CA-03, CA-04
    [InlineData(10, 300)]
    [InlineData(0, 300)]
    [InlineData(-60, 300)]
    [InlineData(1000, 1000)]
    [InlineData(604_800, 172_800)]
    public void ValidPeriod_HeaderPeriod_IsClampedWithoutJitter(int headerSeconds, int expectedSeconds)
    {
        var options = new DiscoveryOptions();

        var period = WellKnownCachePolicy.ValidPeriod(TimeSpan.FromSeconds(headerSeconds), options, new FixedRandom(0.99));

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), period);
    }

    [Theory] // CA-01: default × U(0.9, 1.1)
    [InlineData(0.0, 77_760)]
    [InlineData(0.5, 86_400)]
    [InlineData(1.0, 95_040)]
    public void ValidPeriod_NoHeaders_IsTheJitteredDefault(double sample, int expectedSeconds)
    {
        var period = WellKnownCachePolicy.ValidPeriod(null, new DiscoveryOptions(), new FixedRandom(sample));

        Assert.Equal(expectedSeconds, period.TotalSeconds, precision: 3);
    }

    [Theory] // CA-10, CA-11, CA-14: the back-off sequence
    [InlineData(false, 1, 3600)]
    [InlineData(false, 5, 3600)]
    [InlineData(true, 1, 120)]
    [InlineData(true, 2, 240)]
    [InlineData(true, 3, 480)]
    [InlineData(true, 4, 960)]
    [InlineData(true, 5, 1920)]
    [InlineData(true, 6, 3600)]
    [InlineData(true, 40, 3600)]
    public void FailurePeriod_RepeatedFailures_BackOffExponentiallyUpToTheInvalidPeriod(bool hadValid, int failures, int expectedSeconds)
    {
        var period = WellKnownCachePolicy.FailurePeriod(hadValid, failures, new DiscoveryOptions(), new FixedRandom(0.5));

        Assert.Equal(expectedSeconds, period.TotalSeconds, precision: 3);
    }

    [Theory]
    [InlineData(0.0, 3240)]
    [InlineData(1.0, 3960)]
    public void FailurePeriod_IsJittered(double sample, int expectedSeconds)
    {
        var period = WellKnownCachePolicy.FailurePeriod(false, 1, new DiscoveryOptions(), new FixedRandom(sample));

        Assert.Equal(expectedSeconds, period.TotalSeconds, precision: 3);
    }
}
