using System.Diagnostics;
using FederationEgress.Hosting;
using Microsoft.AspNetCore.Builder;

namespace FederationEgress.Tests.Hosting;

/// <summary>Invalid configuration stops the proxy at start-up with a message naming the key.</summary>
public sealed class ConfigurationTests
{
    private static readonly string[] EphemeralPorts = ["--Listen:Port=0", "--Management:Port=0"];

    [Theory]
    [InlineData("Forwarding:ConnectTimeoutSeconds", "0")]
    [InlineData("Forwarding:TlsHandshakeTimeoutSeconds", "-1")]
    [InlineData("Forwarding:ResponseHeadersTimeoutSeconds", "0")]
    [InlineData("Forwarding:IdleBodyTimeoutSeconds", "100000")]
    [InlineData("Forwarding:PooledConnectionLifetimeSeconds", "0")]
    [InlineData("Forwarding:MaxConnectionsPerServer", "0")]
    [InlineData("Forwarding:ConnectTimeoutSeconds", "ten")]
    [InlineData("Forwarding:StripRequestHeaders:0", "Bad Header")]
    [InlineData("Listen:Address", "localhost-ish")]
    [InlineData("Listen:Port", "70000")]
    [InlineData("Management:Port", "-1")]
    [InlineData("Management:Address", "")]
    [InlineData("Limits:MaxConcurrentRequests", "0")]
    [InlineData("Limits:MaxRequestBodySize", "0")]
    [InlineData("Limits:MaxRequestHeadersTotalSize", "10")]
    [InlineData("Tls:ExtraCaFiles:0", "/nonexistent/ca.pem")]
    public async Task Start_InvalidValue_FailsNamingTheKey(string key, string value)
    {
        var exception = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync([.. EphemeralPorts, $"--{key}={value}"]));

        Assert.Contains(key, exception.Message);
    }

    [Fact]
    public async Task Start_ConfigFileWithInvalidValue_FailsNamingTheKey()
    {
        var file = Path.Combine(Path.GetTempPath(), $"fe-config-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, "{\n  // comments are allowed\n  \"Limits\": { \"MaxConcurrentRequests\": 0 }\n}\n", TestContext.Current.CancellationToken);
        try
        {
            var exception = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync([.. EphemeralPorts, "--config", file]));

            Assert.Contains("Limits:MaxConcurrentRequests", exception.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void CreateBuilder_MissingConfigFile_FailsNamingTheFile()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"fe-missing-{Guid.NewGuid():N}.json");

        var exception = Assert.Throws<FileNotFoundException>(() => EgressHost.CreateBuilder(["--config", missing]));

        Assert.Contains(missing, exception.Message);
    }

    [Fact]
    public void CreateBuilder_CommandLineOverridesConfigFile()
    {
        var file = Path.Combine(Path.GetTempPath(), $"fe-config-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, "{ \"Forwarding\": { \"ConnectTimeoutSeconds\": 3, \"MaxConnectionsPerServer\": 7 } }");
        try
        {
            var builder = EgressHost.CreateBuilder([$"--config={file}", "--Forwarding:ConnectTimeoutSeconds=4"]);

            Assert.Equal("4", builder.Configuration["Forwarding:ConnectTimeoutSeconds"]);
            Assert.Equal("7", builder.Configuration["Forwarding:MaxConnectionsPerServer"]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Process_InvalidCommandLineValue_Exits2NamingTheKey()
    {
        var (exitCode, output) = await RunProcessAsync(["--Forwarding:ConnectTimeoutSeconds=0"], []);

        Assert.Equal(EgressHost.InvalidConfigurationExitCode, exitCode);
        Assert.Contains("invalid configuration: Forwarding:ConnectTimeoutSeconds must be > 0", output);
    }

    [Theory]
    [InlineData("Limits__MaxConcurrentRequests")]
    [InlineData("FEDERATIONEGRESS_Limits__MaxConcurrentRequests")]
    public async Task Process_InvalidEnvironmentValue_Exits2NamingTheKey(string variable)
    {
        var (exitCode, output) = await RunProcessAsync([], new() { [variable] = "0" });

        Assert.Equal(EgressHost.InvalidConfigurationExitCode, exitCode);
        Assert.Contains("Limits:MaxConcurrentRequests must be > 0", output);
    }

    [Fact]
    public async Task Process_ConfigFileFromEnvironment_IsUsed()
    {
        var file = Path.Combine(Path.GetTempPath(), $"fe-config-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, "{ \"Forwarding\": { \"MaxConnectionsPerServer\": 0 } }", TestContext.Current.CancellationToken);
        try
        {
            var (exitCode, output) = await RunProcessAsync([], new() { [EgressHost.ConfigFileVariable] = file });

            Assert.Equal(EgressHost.InvalidConfigurationExitCode, exitCode);
            Assert.Contains("Forwarding:MaxConnectionsPerServer must be >= 1", output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Process_UnparsableValue_Exits2NamingTheKey()
    {
        var (exitCode, output) = await RunProcessAsync(["--Forwarding:EnableHttp2=maybe"], []);

        Assert.Equal(EgressHost.InvalidConfigurationExitCode, exitCode);
        Assert.Contains("Forwarding:EnableHttp2", output);
    }

    /// <summary>Runs the real FederationEgress binary on ephemeral ports and returns its exit code and output.</summary>
    private static async Task<(int ExitCode, string Output)> RunProcessAsync(string[] args, Dictionary<string, string> environment)
    {
        var app = Path.Combine(AppContext.BaseDirectory, "FederationEgress.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var arg in new[] { "exec", app, "--Listen:Port=0", "--Management:Port=0" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var ct = TestContext.Current.CancellationToken;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static async Task StartAsync(string[] args)
    {
        await using var app = Program.BuildApp(args);
        await app.StartAsync(TestContext.Current.CancellationToken);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }
}
