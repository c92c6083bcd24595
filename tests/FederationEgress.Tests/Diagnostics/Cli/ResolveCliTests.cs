using System.Text.Json;
using System.Text.RegularExpressions;
using FederationEgress.Diagnostics.Cli;

namespace FederationEgress.Tests.Diagnostics.Cli;

/// <summary>
/// The <c>resolve</c> command of the real binary's composition root (Program.BuildApp), against this
/// test's scripted DNS server and TLS servers, configured through --config like an operator would.
/// </summary>
public sealed partial class ResolveCliTests
{
    [Fact]
    public async Task Resolve_DelegatedName_PrintsTextReportAndExits0()
    {
        await using var world = FederationWorld.Create();
        await world.WellKnownAsync("cli.test", 1, "fed.cli.test:8449", cacheControl: "max-age=600");
        world.Dns.AddA("fed.cli.test", world.Ip(2));
        var config = world.WriteConfigFile();

        var (exit, output, _) = await RunAsync("resolve", "cli.test", "--config", config);

        Assert.Equal(EgressCli.ExitResolved, exit);
        var expected = """
            cli.test: resolved in N ms (cache: bypass, started T)

            Steps
            ├── well_known https://cli.test/.well-known/matrix/server (N ms)
            │   ├── outcome       valid
            │   ├── detail        bypass; HTTP 200; m.server fed.cli.test:8449; attempts 1
            │   ├── status        200
            │   ├── cache-control max-age=600
            │   ├── body          {"m.server":"fed.cli.test:8449"}
            │   ├── record        m.server fed.cli.test:8449
            │   └── cached until  T
            └── addresses fed.cli.test (N ms)
                ├── outcome       success
                ├── record        IP.2
                └── cached until  T

            Result
              step          well_known_explicit_port
              host header   fed.cli.test:8449
              tls name      fed.cli.test
              delegated to  fed.cli.test:8449
              expires       T
              endpoints     1. IP.2:8449 (fed.cli.test)

            """;
        Assert.Equal(expected, Normalize(output, world));
    }

    [Fact]
    public async Task Resolve_Json_PrintsTheEndpointsReportFormat()
    {
        await using var world = FederationWorld.Create();
        world.Dns.AddA("json.test", world.Ip(3));
        var config = world.WriteConfigFile();

        var (exit, output, _) = await RunAsync("resolve", "json.test:8449", "--json", "--config", config);

        Assert.Equal(EgressCli.ExitResolved, exit);
        var report = JsonDocument.Parse(output).RootElement;
        Assert.Equal("json.test:8449", report.GetProperty("server_name").GetString());
        Assert.Equal("resolved", report.GetProperty("outcome").GetString());
        Assert.Equal("explicit_port", report.GetProperty("result").GetProperty("step").GetString());
        Assert.Equal($"{world.Ip(3)}:8449", report.GetProperty("result").GetProperty("endpoints")[0].GetProperty("address").GetString());
    }

    [Fact]
    public async Task Resolve_Connect_PrintsTlsChecks()
    {
        await using var world = FederationWorld.Create();
        world.Dns.AddA("tls.cli.test", world.Ip(4));
        await world.ServerAsync(4, 8449, "tls.cli.test");
        var config = world.WriteConfigFile();

        var (exit, output, _) = await RunAsync("resolve", "tls.cli.test:8449", "--connect", "--config", config);

        Assert.Equal(EgressCli.ExitResolved, exit);
        var text = Normalize(output, world);
        Assert.Contains("TLS checks\n  IP.4:8449  ok, TLS 1.", text);
        Assert.Contains("    subject       CN=tls.cli.test\n    SANs          DNS:tls.cli.test\n", text);
    }

    [Fact]
    public async Task Resolve_ConfigOverrideArgument_IsApplied()
    {
        await using var world = FederationWorld.Create();
        world.Dns.AddA("override.test", world.Ip(5));
        var config = world.WriteConfigFile();

        // The override denies this world's /24 again: the TLS check must refuse to dial.
        var (exit, output, _) = await RunAsync("resolve", "override.test:8449", "--connect", "--config", config, $"--IpPolicy:AllowRanges:0=198.51.100.0/24");

        Assert.Equal(EgressCli.ExitResolved, exit);
        Assert.Contains("IP.5:8449  address_denied", Normalize(output, world));
    }

    [Fact]
    public async Task Resolve_UnresolvableName_PrintsErrorAndExits1()
    {
        await using var world = FederationWorld.Create();
        var config = world.WriteConfigFile();

        var (exit, output, _) = await RunAsync("resolve", "nowhere.test:8449", "--config", config);

        Assert.Equal(EgressCli.ExitFailed, exit);
        Assert.Contains("nowhere.test:8449: failed in", output);
        Assert.Contains("Error\n  type          no_addresses\n", output.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("resolve", "bad_name.test")]
    [InlineData("resolve")]
    [InlineData("resolve", "example.test", "--bogus")]
    [InlineData("resolve", "example.test", "--config", "/nonexistent/fe-diag-missing.json")]
    public async Task Resolve_UsageOrConfigError_Exits2WithMessageOnStandardError(params string[] args)
    {
        var (exit, output, error) = await RunAsync(args);

        Assert.Equal(EgressCli.ExitUsage, exit);
        Assert.Equal(string.Empty, output);
        Assert.NotEqual(string.Empty, error.Trim());
    }

    [Fact]
    public async Task Resolve_InvalidConfigurationValue_Exits2NamingTheKey()
    {
        await using var world = FederationWorld.Create();
        var config = world.WriteConfigFile(new Dictionary<string, object> { ["Discovery"] = new Dictionary<string, object> { ["WellKnownTimeoutSeconds"] = -1 } });

        var (exit, _, error) = await RunAsync("resolve", "example.test", "--config", config);

        Assert.Equal(EgressCli.ExitUsage, exit);
        Assert.Contains("WellKnownTimeoutSeconds", error);
    }

    [Fact]
    public async Task Help_PrintsUsageAndExits0()
    {
        var (exit, output, _) = await RunAsync("resolve", "--help");

        Assert.Equal(0, exit);
        Assert.Contains("--connect", output);
        Assert.Contains("--json", output);
        Assert.Contains("--config", output);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var exit = await EgressCli.RunAsync(args, Program.BuildApp, output, error, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }

    // Times and durations vary per run; the world's addresses vary per test.
    private static string Normalize(string text, FederationWorld world)
    {
        text = text.ReplaceLineEndings("\n").Replace(world.Prefix, "IP.", StringComparison.Ordinal);
        text = Timestamp().Replace(text, "T");
        return Duration().Replace(text, "N ms");
    }

    [GeneratedRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"\d+(\.\d+)? ms")]
    private static partial Regex Duration();
}
