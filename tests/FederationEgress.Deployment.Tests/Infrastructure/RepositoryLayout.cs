namespace FederationEgress.Deployment.Tests.Infrastructure;

/// <summary>Paths of the deployment artefacts, found from the test binaries' location.</summary>
internal static class RepositoryLayout
{
    private const string SolutionFile = "FederationEgress.sln";

    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    public static string Dockerfile => Path.Combine(Root, "Dockerfile");

    public static string DockerIgnore => Path.Combine(Root, ".dockerignore");

    public static string ProxyJson => Path.Combine(Root, "proxy.json");

    public static string ChartsDirectory => Path.Combine(Root, "charts");

    public static string Chart => Path.Combine(ChartsDirectory, "federation-egress");

    public static string ChartTemplates => Path.Combine(Chart, "templates");

    public static string ValuesYaml => Path.Combine(Chart, "values.yaml");

    public static string ValuesSchema => Path.Combine(Chart, "values.schema.json");

    public static string DeploymentDocs => Path.Combine(Root, "docs", "deployment.md");

    /// <summary>This project's source folder (package.json, tools/), not its bin folder.</summary>
    public static string TestProjectSource => Path.Combine(Root, "tests", "FederationEgress.Deployment.Tests");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No {SolutionFile} above {AppContext.BaseDirectory}.");
    }
}
