using System.Text.Json;
using System.Text.Json.Nodes;

namespace FederationEgress.Deployment.Tests.Infrastructure;

/// <summary>The output of <see cref="HelmRenderer"/>: each template's text and the parsed manifests.</summary>
internal sealed class RenderedChart
{
    public RenderedChart(IReadOnlyDictionary<string, string> files)
    {
        Files = files;
        Manifests = files
            .Where(f => !f.Key.EndsWith(".txt", StringComparison.Ordinal))
            .SelectMany(f => YamlToJson.ConvertAll(f.Value))
            .OfType<JsonObject>()
            .ToArray();
    }

    /// <summary>Rendered text by "templates/…" name, NOTES.txt included.</summary>
    public IReadOnlyDictionary<string, string> Files { get; }

    public IReadOnlyList<JsonObject> Manifests { get; }

    public string Notes => Files["templates/NOTES.txt"];

    public IEnumerable<JsonObject> OfKind(string kind) => Manifests.Where(m => (string?)m["kind"] == kind);

    public JsonObject Single(string kind) => Manifests.Single(m => (string?)m["kind"] == kind);

    /// <summary>The Deployment or DaemonSet.</summary>
    public JsonObject Workload => Manifests.Single(m => (string?)m["kind"] is "Deployment" or "DaemonSet");

    public JsonNode PodSpec => Workload["spec"]!["template"]!["spec"]!;

    public JsonNode ProxyContainer => PodSpec["containers"]!.AsArray().Single(c => (string?)c!["name"] == "federation-egress")!;

    /// <summary>proxy.json from the ConfigMap, parsed.</summary>
    public JsonNode ProxyJson => JsonNode.Parse((string)Single("ConfigMap")["data"]!["proxy.json"]!)!;

    public Dictionary<string, string> ProxyEnvironment => ProxyContainer["env"]!.AsArray()
        .Where(e => e!["value"] is not null)
        .ToDictionary(e => (string)e!["name"]!, e => (string)e!["value"]!);

    public override string ToString() => JsonSerializer.Serialize(Files);
}
