using System.Text.Json;
using System.Text.Json.Nodes;

namespace FederationEgress.Deployment.Tests.Infrastructure;

/// <summary>
/// Validates documents against a JSON Schema with Ajv (npm), through tools/validate-values.mjs.
/// The NuGet mirror has no working JSON Schema validator. Runs <c>npm ci</c> in this project's
/// source folder once when node_modules is missing, from the committed package-lock.json.
/// </summary>
internal static class SchemaValidator
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private static bool s_installed;

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
        await EnsureInstalledAsync();
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

            var script = Path.Combine(RepositoryLayout.TestProjectSource, "tools", "validate-values.mjs");
            var result = await ProcessRunner.RunAsync(
                "node", [script, schemaPath, .. files], RepositoryLayout.TestProjectSource, timeout: TimeSpan.FromMinutes(2));
            result.EnsureSuccess("node validate-values.mjs");

            var json = result.Output.Split('\n').Single(l => l.StartsWith('['));
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

    private static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (s_installed || File.Exists(Path.Combine(RepositoryLayout.TestProjectSource, "node_modules", "ajv", "package.json")))
            {
                s_installed = true;
                return;
            }

            var result = await ProcessRunner.RunAsync(
                "npm", ["ci", "--no-audit", "--no-fund"], RepositoryLayout.TestProjectSource, timeout: TimeSpan.FromMinutes(5));
            result.EnsureSuccess("npm ci (tests/FederationEgress.Deployment.Tests)");
            s_installed = true;
        }
        finally
        {
            InstallLock.Release();
        }
    }
}
