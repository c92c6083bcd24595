using System.Text.Json;
using FederationEgress.Deployment.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace FederationEgress.Deployment.Tests.Chart;

/// <summary>Well-formedness of the chart's plain YAML files and Chart.yaml metadata.</summary>
public sealed class ChartFilesTests
{
    public static TheoryData<string> PlainYamlFiles() => new(PlainYamlFilePaths());

    private static IEnumerable<string> PlainYamlFilePaths()
    {
        foreach (var file in Directory.EnumerateFiles(RepositoryLayout.ChartsDirectory, "*.*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                     .Where(f => !Path.GetRelativePath(RepositoryLayout.ChartsDirectory, f).Split('/').Contains("templates"))
                     .Order(StringComparer.Ordinal))
        {
            yield return Path.GetRelativePath(RepositoryLayout.Root, file);
        }
    }

    [Theory]
    [MemberData(nameof(PlainYamlFiles))]
    public void YamlFile_OutsideTemplates_ParsesWithoutDuplicateKeys(string relativePath)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryLayout.Root, relativePath));
        var stream = new YamlStream();
        stream.Load(new StringReader(text));

        Assert.NotEmpty(stream.Documents);
        // Helm and kubectl reject duplicate keys (or keep only one); YamlToJson refuses them.
        Assert.NotEmpty(YamlToJson.ConvertAll(text));
    }

    [Fact]
    public void PlainYamlFiles_IncludeChartValuesAndExamples()
    {
        var files = PlainYamlFilePaths().ToArray();

        Assert.Contains("charts/federation-egress/Chart.yaml", files);
        Assert.Contains("charts/federation-egress/values.yaml", files);
        Assert.Contains(files, f => f.StartsWith("charts/federation-egress/examples/", StringComparison.Ordinal));
    }

    [Fact]
    public void ChartYaml_HasTheFieldsHelmRequires()
    {
        var chart = YamlToJson.ConvertFile(Path.Combine(RepositoryLayout.Chart, "Chart.yaml"))!.AsObject();

        Assert.Equal("v2", (string?)chart["apiVersion"]);
        Assert.Equal("federation-egress", (string?)chart["name"]);
        Assert.Equal("application", (string?)chart["type"]);
        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$", (string?)chart["version"]);
        // Quoted in Chart.yaml so YAML never turns a version like 1.10 into a number.
        Assert.Equal(JsonValueKind.String, chart["appVersion"]!.GetValueKind());
        Assert.False(string.IsNullOrWhiteSpace((string?)chart["appVersion"]));
        Assert.False(string.IsNullOrWhiteSpace((string?)chart["description"]));
    }

    [Fact]
    public void Chart_HasEveryTemplateTheOperatorExpects()
    {
        string[] expected =
        [
            "_helpers.tpl", "NOTES.txt", "configmap.yaml", "deployment.yaml", "hpa.yaml", "networkpolicy.yaml",
            "pdb.yaml", "secret.yaml", "service.yaml", "serviceaccount.yaml", "tests/test-connection.yaml",
        ];

        foreach (var template in expected)
        {
            Assert.True(File.Exists(Path.Combine(RepositoryLayout.ChartTemplates, template)), $"missing templates/{template}");
        }

        Assert.True(File.Exists(RepositoryLayout.ValuesSchema));
    }
}
