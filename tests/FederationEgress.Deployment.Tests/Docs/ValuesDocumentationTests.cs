using System.Text.RegularExpressions;
using FederationEgress.Deployment.Tests.Infrastructure;

namespace FederationEgress.Deployment.Tests.Docs;

/// <summary>Every value is documented inline (`## @param`) and in docs/deployment.md.</summary>
public sealed partial class ValuesDocumentationTests
{
    private static readonly IReadOnlyList<string> Params =
        ParamPattern().Matches(File.ReadAllText(RepositoryLayout.ValuesYaml)).Select(m => m.Groups["key"].Value).ToArray();

    [Fact]
    public void EveryValue_IsCoveredByAParamComment()
    {
        var values = YamlToJson.ConvertFile(RepositoryLayout.ValuesYaml);

        var undocumented = ValuesTree.LeafPaths(values)
            .Where(leaf => !Params.Any(p => leaf == p || leaf.StartsWith(p + ".", StringComparison.Ordinal)))
            .ToArray();

        Assert.Empty(undocumented);
    }

    [Fact]
    public void EveryParamComment_NamesAnExistingValueOnce()
    {
        var values = YamlToJson.ConvertFile(RepositoryLayout.ValuesYaml);

        var unknown = Params.Where(p => !ValuesTree.TryGet(values, p, out _)).ToArray();

        Assert.Empty(unknown);
        Assert.Empty(Params.GroupBy(p => p).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    [Fact]
    public void DeploymentDocs_ReferenceTableListsEveryParam()
    {
        var docs = File.ReadAllText(RepositoryLayout.DeploymentDocs);
        var reference = docs[docs.IndexOf("## Values reference", StringComparison.Ordinal)..];

        var missing = Params.Where(p => !reference.Contains($"| `{p}` |", StringComparison.Ordinal)).ToArray();

        Assert.Empty(missing);
    }

    [GeneratedRegex(@"^\s*## @param (?<key>\S+)", RegexOptions.Multiline)]
    private static partial Regex ParamPattern();
}
