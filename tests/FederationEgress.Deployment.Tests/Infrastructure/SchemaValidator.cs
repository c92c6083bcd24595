using System.Text.Json;
using System.Text.Json.Nodes;

namespace FederationEgress.Deployment.Tests.Infrastructure;

/// <summary>Validates documents against a JSON Schema with Ajv through tools/validate-values.mjs.</summary>
internal static class SchemaValidator
{
    public sealed record Outcome(bool Valid, IReadOnlyList<string> Errors)
    {
        public override string ToString() => Valid ? "valid" : string.Join("\n", Errors);
    }

    public static async Task<Outcome> ValidateAsync(string schemaPath, JsonNode? document)
    {
        var outcomes = await ValidateAsync(schemaPath, [document]);
        return outcomes[0];
    }

    public static async Task<IReadOnlyList<Outcome>> ValidateAsync(string schemaPath, IReadOnlyList<JsonNode?> documents)
    {
        var scratch = Directory.CreateTempSubdirectory("fe-schema-");
        try
        {
            var files = new List<string>();
            for (var i = 0; i < documents.Count; i++)
            {
                var file = Path.Combine(scratch.FullName, $"values{i}.json");
                await File.WriteAllTextAsync(file, documents[i]?.ToJsonString() ?? "null");
                files.Add(file);
            }

            var json = await NodeTooling.RunAsync("validate-values.mjs", [schemaPath, .. files]);
            using var parsed = JsonDocument.Parse(json);
            return parsed.RootElement.EnumerateArray()
                .Select(e => new Outcome(
                    e.GetProperty("valid").GetBoolean(),
                    e.GetProperty("errors").EnumerateArray().Select(x => x.GetString()!).ToArray()))
                .ToArray();
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}
