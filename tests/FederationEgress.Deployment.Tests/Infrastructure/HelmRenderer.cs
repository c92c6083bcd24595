using System.Text.Json;
using System.Text.Json.Nodes;

namespace FederationEgress.Deployment.Tests.Infrastructure;

/// <summary>
/// Renders the chart like <c>helm template</c> with tools/helmrender: Go's text/template (the
/// engine Helm uses) plus the Helm/Sprig functions the chart calls. No helm binary exists here;
/// Go comes from Debian's golang-go. Values are merged over values.yaml as Helm merges them
/// (maps deep-merge, lists replace, null deletes a key).
/// </summary>
internal static class HelmRenderer
{
    public const string DefaultKubeVersion = "v1.31.0";
    public const string Release = "egress";
    public const string Namespace = "matrix";

    private static readonly Lazy<Task<string>> Binary = new(BuildAsync);

    public static Task<RenderedChart> RenderAsync(string overridesYaml, string kubeVersion = DefaultKubeVersion) =>
        RenderAsync(YamlToJson.Convert(overridesYaml) as JsonObject, kubeVersion);

    public static async Task<RenderedChart> RenderAsync(JsonObject? overrides = null, string kubeVersion = DefaultKubeVersion)
    {
        var binary = await Binary.Value;
        var values = YamlToJson.ConvertFile(RepositoryLayout.ValuesYaml)!.AsObject();
        if (overrides is not null)
        {
            MergeValues(values, overrides);
        }

        var scratch = Directory.CreateTempSubdirectory("fe-render-");
        try
        {
            var valuesFile = Path.Combine(scratch.FullName, "values.json");
            var chartFile = Path.Combine(scratch.FullName, "chart.json");
            await File.WriteAllTextAsync(valuesFile, values.ToJsonString());
            await File.WriteAllTextAsync(chartFile, YamlToJson.ConvertFile(Path.Combine(RepositoryLayout.Chart, "Chart.yaml"))!.ToJsonString());

            var result = await ProcessRunner.RunAsync(
                binary,
                ["-chart", RepositoryLayout.Chart, "-values", valuesFile, "-chart-meta", chartFile, "-release", Release, "-namespace", Namespace, "-kube-version", kubeVersion],
                scratch.FullName,
                timeout: TimeSpan.FromMinutes(1));
            result.EnsureSuccess("helmrender");
            var json = result.Output[result.Output.IndexOf('{')..];
            return new RenderedChart(JsonSerializer.Deserialize<Dictionary<string, string>>(json)!);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>Helm's value coalescing: nested maps merge, null removes, anything else replaces.</summary>
    public static void MergeValues(JsonObject target, JsonObject overrides)
    {
        foreach (var (key, value) in overrides)
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject child && target[key] is JsonObject existing)
            {
                MergeValues(existing, child);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    private static async Task<string> BuildAsync()
    {
        string go;
        try
        {
            go = ProcessRunner.FindOnPath("go");
        }
        catch (FileNotFoundException)
        {
            throw new InvalidOperationException("The chart render tests need Go (Debian package golang-go): apt-get install -y golang-go");
        }

        var directory = Directory.CreateTempSubdirectory("fe-helmrender-");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => directory.Delete(recursive: true);
        var output = Path.Combine(directory.FullName, "helmrender");
        var result = await ProcessRunner.RunAsync(
            go,
            ["build", "-o", output, "."],
            Path.Combine(RepositoryLayout.TestProjectSource, "tools", "helmrender"),
            new Dictionary<string, string?>
            {
                ["GOPROXY"] = "off", ["GOFLAGS"] = "-mod=mod", ["GOTOOLCHAIN"] = "local", ["CGO_ENABLED"] = "0",
                ["GOCACHE"] = Path.Combine(Path.GetTempPath(), "fe-helmrender-gocache"),
            },
            TimeSpan.FromMinutes(5));
        result.EnsureSuccess("go build tools/helmrender");
        return output;
    }
}
