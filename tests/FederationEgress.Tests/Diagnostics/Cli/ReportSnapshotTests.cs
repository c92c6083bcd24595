using FederationEgress.Diagnostics;
using FederationEgress.Diagnostics.Cli;
using FederationEgress.Diagnostics.Report;

namespace FederationEgress.Tests.Diagnostics.Cli;

/// <summary>Snapshots of the CLI's text and JSON output for fixed reports.</summary>
public sealed class ReportSnapshotTests
{
    [Fact]
    public void Text_DelegatedWithTlsChecks_MatchesSnapshot()
    {
        Assert.Equal(Snapshots.DelegatedText, Render(SampleReports.Delegated()));
    }

    [Fact]
    public void Text_Failed_MatchesSnapshot()
    {
        Assert.Equal(Snapshots.FailedText, Render(SampleReports.Failed()));
    }

    [Fact]
    public void Json_Delegated_MatchesSnapshot()
    {
        Assert.Equal(Snapshots.DelegatedJson, DiagnosticJson.Serialize(SampleReports.Delegated()).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Json_Failed_MatchesSnapshot()
    {
        Assert.Equal(Snapshots.FailedJson, DiagnosticJson.Serialize(SampleReports.Failed()).ReplaceLineEndings("\n"));
    }

    private static string Render(ResolveReport report)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        ReportTextWriter.Write(report, writer);
        return writer.ToString();
    }
}
