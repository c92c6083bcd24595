using System.Text.RegularExpressions;
using FederationEgress.Deployment.Tests.Infrastructure;

namespace FederationEgress.Deployment.Tests.Docker;

/// <summary>Rules the Dockerfile must keep; what an engine-less review can verify.</summary>
public sealed class DockerfileLintTests
{
    private const string SdkImage = "mcr.microsoft.com/dotnet/sdk";
    private const string RuntimeImage = "mcr.microsoft.com/dotnet/aspnet";

    private static readonly DockerfileDocument Dockerfile = DockerfileDocument.Load(RepositoryLayout.Dockerfile);

    [Fact]
    public void Stages_BuildOnSdkAndRunOnChiseledAspNetRuntime_BothPinnedToDotnet10()
    {
        Assert.Equal(2, Dockerfile.Stages.Count);
        var build = Dockerfile.Stages[0];
        var runtime = Dockerfile.FinalStage;

        Assert.StartsWith($"{SdkImage}:", build.BaseImage, StringComparison.Ordinal);
        Assert.StartsWith($"{RuntimeImage}:", runtime.BaseImage, StringComparison.Ordinal);
        foreach (var stage in Dockerfile.Stages)
        {
            var tag = stage.BaseImage.Split(':', 2)[1];
            Assert.Matches(@"^10\.0(-[a-z0-9-]+)?$", tag);
        }

        // Chiseled: CA certificates, non-root `app` user, no shell or package manager.
        Assert.EndsWith("-chiseled", runtime.BaseImage, StringComparison.Ordinal);
    }

    [Fact]
    public void FinalStage_RunsAsNonRootUser()
    {
        var user = Assert.Single(Dockerfile.FinalStage.All("USER")).Arguments;

        Assert.DoesNotMatch(@"^(root|0)(:.*)?$", user);
        Assert.True(user == "app" || user == "$APP_UID" || (int.TryParse(user, out var uid) && uid > 0), $"unexpected USER {user}");
    }

    [Fact]
    public void Instructions_NeverAddRemoteOrArchiveContent()
    {
        // COPY is explicit; ADD fetches URLs and unpacks archives behind the reviewer's back.
        Assert.DoesNotContain(Dockerfile.Instructions, i => i.Keyword == "ADD");
        Assert.DoesNotContain(Dockerfile.Instructions, i => Regex.IsMatch(i.Arguments, @"\b(curl|wget)\b|https?://(?!mcr\.microsoft\.com)"));
    }

    [Fact]
    public void FinalStage_HasNoShellInstructions()
    {
        // The chiseled image has no /bin/sh: any RUN, shell-form ENTRYPOINT/CMD or
        // HEALTHCHECK would fail at build or run time.
        var runtime = Dockerfile.FinalStage;

        Assert.Empty(runtime.All("RUN"));
        Assert.Empty(runtime.All("HEALTHCHECK"));
        Assert.All(runtime.Instructions.Where(i => i.Keyword is "ENTRYPOINT" or "CMD"), i => Assert.True(i.IsExecForm, i.ToString()));
    }

    [Fact]
    public void Entrypoint_StartsThePublishedAssemblyWithDotnet()
    {
        var entrypoint = Assert.Single(Dockerfile.FinalStage.All("ENTRYPOINT"));

        Assert.Equal(["dotnet", "FederationEgress.dll"], entrypoint.ExecArguments);
        Assert.Equal("/app", Assert.Single(Dockerfile.FinalStage.All("WORKDIR")).Arguments);
    }

    [Fact]
    public void Expose_MatchesTheChartsContainerPortsAndTheAppDefaults()
    {
        var exposed = Dockerfile.FinalStage.All("EXPOSE").SelectMany(i => i.Operands).Select(p => int.Parse(p.Split('/')[0])).Order().ToArray();
        var values = YamlToJson.ConvertFile(RepositoryLayout.ValuesYaml)!;

        Assert.Equal([8009, 8010], exposed);
        Assert.Equal(
            [(int)values["containerPorts"]!["proxy"]!, (int)values["containerPorts"]!["management"]!],
            exposed);
    }

    [Fact]
    public void Environment_BindsAllInterfacesInsideTheContainer()
    {
        var env = Dockerfile.FinalStage.All("ENV").SelectMany(i => i.KeyValuePairs()).ToDictionary();

        Assert.Equal("0.0.0.0", env["Listen__Address"]);
        Assert.Equal("0.0.0.0", env["Management__Address"]);
        Assert.Equal("0.0.0.0", env["Synapse__Address"]);
        Assert.Equal("0.0.0.0", env["Connect__Address"]);
        // The base image's 8080 default would otherwise add a listener the proxy never asked for.
        Assert.Equal(string.Empty, env["ASPNETCORE_HTTP_PORTS"]);
    }

    [Fact]
    public void Environment_CapsGlibcMallocArenasLikeTheChartDefault()
    {
        var env = Dockerfile.FinalStage.All("ENV").SelectMany(i => i.KeyValuePairs()).ToDictionary();
        var values = YamlToJson.ConvertFile(RepositoryLayout.ValuesYaml)!;

        // glibc's default arena count let RSS creep in the soak; 2 kept it flat.
        Assert.Equal("2", env["MALLOC_ARENA_MAX"]);
        Assert.Equal(2, (int)values["mallocArenaMax"]!);
    }

    [Fact]
    public void FinalStage_CarriesOciLabels()
    {
        var labels = Dockerfile.FinalStage.All("LABEL").SelectMany(i => i.KeyValuePairs()).ToDictionary();

        Assert.Contains("org.opencontainers.image.title", labels.Keys);
        Assert.Contains("org.opencontainers.image.version", labels.Keys);
        Assert.Contains("org.opencontainers.image.revision", labels.Keys);
        Assert.Equal(Dockerfile.FinalStage.BaseImage, labels["org.opencontainers.image.base.name"]);

        // The image's default version is the one the chart deploys by default.
        var version = Dockerfile.FinalStage.All("ARG").SelectMany(i => i.KeyValuePairs()).Single(p => p.Key == "VERSION").Value;
        var chart = YamlToJson.ConvertFile(Path.Combine(RepositoryLayout.Chart, "Chart.yaml"))!;
        Assert.Equal((string?)chart["appVersion"], version);
    }

    [Fact]
    public void BuildStage_RestoresFromProjectFilesBeforeCopyingSources()
    {
        var build = Dockerfile.Stages[0].Instructions;
        var restore = build.Single(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal));
        var sourceCopy = build.Single(i => i.Keyword == "COPY" && i.Operands[0].StartsWith("src/", StringComparison.Ordinal) && !i.Operands[0].EndsWith(".csproj", StringComparison.Ordinal));
        var beforeRestore = build.TakeWhile(i => i != restore).Where(i => i.Keyword == "COPY").SelectMany(i => i.Operands.SkipLast(1)).ToArray();

        // The restore layer depends only on these, so source edits keep it cached.
        Assert.True(restore.Line < sourceCopy.Line, "restore must come before COPY src/");
        Assert.Contains("build/", beforeRestore);
        Assert.Contains("Directory.Build.props", beforeRestore);
        Assert.Contains("Directory.Packages.props", beforeRestore);
        Assert.Contains("src/FederationEgress/FederationEgress.csproj", beforeRestore);

        // Files that change what restore resolves must be in the restore layer too, if added later.
        foreach (var file in new[] { "NuGet.config", "nuget.config", "NuGet.Config", "global.json", "Directory.Build.targets" })
        {
            if (File.Exists(Path.Combine(RepositoryLayout.Root, file)))
            {
                Assert.Contains(file, beforeRestore);
            }
        }
    }

    [Fact]
    public void PublishCommand_IsReleaseWithoutRestoreIntoTheDirectoryTheRuntimeCopies()
    {
        var publish = Dockerfile.Stages[0].All("RUN").Single(i => i.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        var words = publish.Operands;
        var copy = Assert.Single(Dockerfile.FinalStage.All("COPY"));

        Assert.Equal("Release", words[words.ToList().IndexOf("-c") + 1]);
        Assert.Contains("--no-restore", words);
        Assert.Contains("-p:UseAppHost=false", words);
        Assert.Equal(Dockerfile.Stages[0].Name, copy.Flags["from"]);
        Assert.Equal(words[words.ToList().IndexOf("-o") + 1], copy.Operands[0]);
    }

    [Fact]
    public void DockerIgnore_KeepsBuildOutputAndRepositoryMetadataOutOfTheContext()
    {
        var ignore = DockerIgnore.Load(RepositoryLayout.DockerIgnore);

        Assert.True(ignore.IsExcluded("src/FederationEgress/bin/Release/net10.0/FederationEgress.dll"));
        Assert.True(ignore.IsExcluded("src/FederationEgress/obj/project.assets.json"));
        Assert.True(ignore.IsExcluded(".git/HEAD"));
        Assert.True(ignore.IsExcluded("tests/FederationEgress.Deployment.Tests/node_modules/ajv/package.json"));
        Assert.False(ignore.IsExcluded("src/FederationEgress/Program.cs"));
        Assert.False(ignore.IsExcluded("build/Yarp.props"));
        Assert.False(ignore.IsExcluded("proxy.json"));
    }
}
