using System.Text.Json;
using System.Text.Json.Nodes;

namespace FederationEgress.Deployment.Tests.Infrastructure;

/// <summary>
/// Validates Kubernetes manifests against the API schemas (kubernetes-models, npm) through
/// tools/validate-manifests.mjs: types, required fields and enums, as the API server would.
/// </summary>
internal static class ManifestValidator
{
    public sealed record Outcome(string? Kind, string? Name, bool Valid, string? Error)
    {
        public override string ToString() => Valid ? $"{Kind}/{Name}: valid" : $"{Kind}/{Name}: {Error}";
    }

    public static async Task<IReadOnlyList<Outcome>> ValidateAsync(IEnumerable<JsonNode> manifests)
    {
        await NodeTooling.EnsureInstalledAsync();
        var scratch = Directory.CreateTempSubdirectory("fe-manifests-");
        try
        {
            var file = Path.Combine(scratch.FullName, "manifests.json");
            await File.WriteAllTextAsync(file, new JsonArray(manifests.Select(m => m.DeepClone()).ToArray()).ToJsonString());
            var output = await NodeTooling.RunAsync("validate-manifests.mjs", [file]);
            return JsonSerializer.Deserialize<Outcome[]>(output, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}
