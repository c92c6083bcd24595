namespace FederationEgress.Deployment.Tests.Infrastructure;

/// <summary>
/// Runs this project's node scripts (tools/*.mjs). The NuGet mirror has no working JSON Schema
/// validator, so Ajv and kubernetes-models come from npm: <c>npm ci</c> runs once in this
/// project's source folder when node_modules is missing, from the committed package-lock.json.
/// </summary>
internal static class NodeTooling
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private static bool s_installed;

    /// <summary>Runs tools/<paramref name="script"/> and returns its single JSON output line.</summary>
    public static async Task<string> RunAsync(string script, IEnumerable<string> arguments)
    {
        await EnsureInstalledAsync();
        var result = await ProcessRunner.RunAsync(
            "node",
            [Path.Combine(RepositoryLayout.TestProjectSource, "tools", script), .. arguments],
            RepositoryLayout.TestProjectSource,
            timeout: TimeSpan.FromMinutes(2));
        result.EnsureSuccess($"node {script}");
        return result.Output.Split('\n').Single(l => l.StartsWith('['));
    }

    public static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (s_installed || AllInstalled())
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

    private static bool AllInstalled() =>
        new[] { "ajv", "ajv-formats", "kubernetes-models" }.All(package =>
            File.Exists(Path.Combine(RepositoryLayout.TestProjectSource, "node_modules", package, "package.json")));
}
