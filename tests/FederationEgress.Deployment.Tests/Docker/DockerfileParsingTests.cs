using FederationEgress.Deployment.Tests.Infrastructure;

namespace FederationEgress.Deployment.Tests.Docker;

/// <summary>The engine-less Dockerfile and .dockerignore readers the other tests rely on.</summary>
public sealed class DockerfileParsingTests
{
    [Fact]
    public void Parse_JoinsContinuationsSkipsCommentsAndSplitsStages()
    {
        var document = DockerfileDocument.Parse("""
            # syntax=docker/dockerfile:1
            FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
            RUN dotnet publish app.csproj \
                # a comment inside the continuation
                -c Release \
                -o /app
            FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled
            ENV A=1 \
                B="two words" \
                C=
            ENTRYPOINT ["dotnet", "app.dll"]
            """);

        Assert.Equal(2, document.Stages.Count);
        Assert.Equal("build", document.Stages[0].Name);
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", document.Stages[0].BaseImage);
        Assert.Null(document.FinalStage.Name);
        var run = Assert.Single(document.Stages[0].All("RUN"));
        Assert.Equal(["dotnet", "publish", "app.csproj", "-c", "Release", "-o", "/app"], run.Operands);
        Assert.Equal(3, run.Line);
        var env = Assert.Single(document.FinalStage.All("ENV")).KeyValuePairs().ToDictionary();
        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "two words", ["C"] = "" }, env);
        Assert.Equal(["dotnet", "app.dll"], Assert.Single(document.FinalStage.All("ENTRYPOINT")).ExecArguments);
    }

    [Fact]
    public void Parse_FlagsAreSeparatedFromOperands()
    {
        var copy = DockerfileDocument.Parse("FROM x AS a\nCOPY --from=build --chown=app /app ./").Stages[0].Instructions[0];

        Assert.Equal("build", copy.Flags["from"]);
        Assert.Equal("app", copy.Flags["chown"]);
        Assert.Equal(["/app", "./"], copy.Operands);
    }

    [Theory]
    [InlineData("FROM x\nRUN <<EOF\necho hi\nEOF")]
    [InlineData("# escape=`\nFROM x")]
    [InlineData("FROM x\nRUN echo \\")]
    public void Parse_UnsupportedOrTruncatedSyntax_IsRejected(string text)
    {
        Assert.ThrowsAny<Exception>(() => DockerfileDocument.Parse(text));
    }

    [Theory]
    [InlineData("src/App/bin/Debug/app.dll", true)]
    [InlineData("bin/app.dll", true)]
    [InlineData("src/App/Program.cs", false)]
    [InlineData("docs/deployment.md", true)]
    [InlineData("docs/keep.md", false)]
    [InlineData("a/b/c.log", true)]
    [InlineData("c.log", true)]
    [InlineData("logo.png", false)]
    [InlineData(".git/config", true)]
    public void DockerIgnore_MatchesLikeDocker(string path, bool excluded)
    {
        var ignore = DockerIgnore.Parse(["# comment", "**/bin/", "docs/", "!docs/keep.md", "**/*.log", ".git", ""]);

        Assert.Equal(excluded, ignore.IsExcluded(path));
    }
}
