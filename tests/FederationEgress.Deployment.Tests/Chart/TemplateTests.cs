using System.Text.Json.Nodes;
using FederationEgress.Deployment.Tests.Infrastructure;

namespace FederationEgress.Deployment.Tests.Chart;

/// <summary>Static checks of the chart templates (no helm binary here).</summary>
public sealed class TemplateTests
{
    public static TheoryData<string> Templates() => new(TemplateNames());

    private static IEnumerable<string> TemplateNames() =>
        Directory.EnumerateFiles(RepositoryLayout.ChartTemplates, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepositoryLayout.ChartTemplates, f))
            .Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Templates))]
    public void Template_BlocksAndDelimitersAreBalanced(string template)
    {
        var errors = HelmTemplateAnalyzer.BlockErrors(Read(template));

        Assert.Empty(errors);
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void Template_EveryValuesPathExistsInValuesYaml(string template)
    {
        var values = YamlToJson.ConvertFile(RepositoryLayout.ValuesYaml);

        var missing = HelmTemplateAnalyzer.ValuesPaths(Read(template)).Where(p => !ValuesTree.TryGet(values, p, out _)).ToArray();

        Assert.Empty(missing);
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void Template_EveryValuesPathIsDescribedBySchema(string template)
    {
        var schema = JsonNode.Parse(File.ReadAllText(RepositoryLayout.ValuesSchema))!;

        var missing = HelmTemplateAnalyzer.ValuesPaths(Read(template)).Where(p => !ValuesTree.SchemaDescribes(schema, p)).ToArray();

        Assert.Empty(missing);
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void Template_IncludesOnlyDefinedNamedTemplates(string template)
    {
        var defined = TemplateNames()
            .SelectMany(t => HelmTemplateAnalyzer.DefinedTemplates(Read(t))).ToHashSet();

        var undefined = HelmTemplateAnalyzer.IncludedTemplates(Read(template)).Where(n => !defined.Contains(n)).ToArray();

        Assert.Empty(undefined);
    }

    [Fact]
    public void Templates_ReadTheValuesThatShapeTheWorkload()
    {
        // Guards the reference check itself: it must see real paths, aliases included.
        var all = TemplateNames().SelectMany(t => HelmTemplateAnalyzer.ValuesPaths(Read(t))).ToHashSet();

        Assert.Contains("containerPorts.management", all);
        Assert.Contains("shutdown.drainTimeoutSeconds", all);
        Assert.Contains("networkPolicy.egress.internet", all);
        Assert.Contains("networkPolicy.ingress.homeserverPodSelector", all);
        Assert.Contains("otel.endpoint", all);
    }

    [Theory]
    [InlineData("{{ if .Values.a }}x", "never closed")]
    [InlineData("{{ end }}", "without an open block")]
    [InlineData("{{ range .Values.a }}{{ else }}{{ end }}{{ else }}", "outside")]
    [InlineData("{{ .Values.a }", "not closed")]
    [InlineData("a }} b", "without an opening")]
    [InlineData("{{- define \"x\" }}{{ with .Values.a }}{{- end }}", "never closed")]
    public void BlockChecker_ReportsBrokenStructure(string template, string expected)
    {
        var errors = HelmTemplateAnalyzer.BlockErrors(template);

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void ValuesPaths_FollowVariableAliases()
    {
        const string template = "{{- $np := .Values.networkPolicy }}{{ $np.egress.dns.enabled }}{{ $.Values.image.tag }}";

        var paths = HelmTemplateAnalyzer.ValuesPaths(template);

        Assert.Equal(["image.tag", "networkPolicy", "networkPolicy.egress.dns.enabled"], paths.Order(StringComparer.Ordinal));
    }

    private static string Read(string template) => File.ReadAllText(Path.Combine(RepositoryLayout.ChartTemplates, template));
}
