using FederationEgress.Diagnostics;
using FederationEgress.Discovery;

namespace FederationEgress.Tests.Diagnostics;

public sealed class EgressTagValuesTests
{
    [Theory]
    [InlineData(100, "1xx")]
    [InlineData(200, "2xx")]
    [InlineData(299, "2xx")]
    [InlineData(308, "3xx")]
    [InlineData(404, "4xx")]
    [InlineData(599, "5xx")]
    [InlineData(600, "none")]
    [InlineData(99, "none")]
    [InlineData(null, "none")]
    public void StatusClass_Code_Class(int? code, string expected) => Assert.Equal(expected, EgressTagValues.StatusClass(code));

    [Fact]
    public void Step_EveryDiscoveryStep_DistinctSnakeCaseValue()
    {
        var values = Enum.GetValues<DiscoveryStep>().Select(EgressTagValues.Step).ToList();

        Assert.Equal(values.Count, values.Distinct().Count());
        Assert.All(values, v => Assert.Matches("^[a-z]+(_[a-z]+)*$", v));
        Assert.Equal("well_known_default_port", EgressTagValues.Step(DiscoveryStep.WellKnownDefaultPort));
    }

    [Fact]
    public void Step_UndefinedValue_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => EgressTagValues.Step((DiscoveryStep)99));
}
