using System.CommandLine;
using FederationEgress.Diagnostics.Report;
using FederationEgress.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FederationEgress.Diagnostics.Cli;

/// <summary>
/// The command-line side of the same binary: <c>resolve &lt;serverName&gt; [--connect] [--json]
/// [--config &lt;file&gt;] [--Section:Key=value…]</c>. It builds the proxy's own services (same
/// configuration sources, same resolver, caches, DNS client, address and TLS policies) without
/// starting the listeners, and prints the <see cref="ResolveReport"/>.
/// </summary>
public static class EgressCli
{
    /// <summary>The server name resolved.</summary>
    public const int ExitResolved = 0;

    /// <summary>Discovery failed (the report says why).</summary>
    public const int ExitFailed = 1;

    /// <summary>Bad command line or configuration.</summary>
    public const int ExitUsage = 2;

    /// <summary>The first argument that selects the CLI instead of the proxy.</summary>
    public const string ResolveCommand = "resolve";

    /// <summary>
    /// Runs the command in <paramref name="args"/> (starting with "resolve"). <paramref name="build"/>
    /// is the composition root (<c>Program.BuildApp</c>); its second argument lets the CLI move
    /// logging to standard error. Output goes to <paramref name="output"/> / <paramref name="error"/>
    /// (the console by default).
    /// </summary>
    public static async Task<int> RunAsync(
        string[] args,
        Func<string[], Action<WebApplicationBuilder>?, WebApplication> build,
        TextWriter? output = null,
        TextWriter? error = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(build);
        output ??= Console.Out;
        error ??= Console.Error;

        var serverName = new Argument<string>("server-name") { Description = "The destination server name, e.g. example.org or example.org:8448." };
        var connect = new Option<bool>("--connect") { Description = "Also connect to every endpoint and check its TLS certificate (through the egress policy)." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON (the management endpoint's format)." };
        var config = new Option<string?>("--config") { Description = "Configuration file (default: proxy.json next to the binary, or FEDERATIONEGRESS_CONFIG)." };
        var resolve = new Command(ResolveCommand, "Resolve a server name step by step, as the proxy would, and print the report.")
        {
            serverName,
            connect,
            json,
            config,
        };

        // Extra tokens may be configuration overrides, as for the proxy: --Dns:TimeoutMilliseconds=500.
        resolve.TreatUnmatchedTokensAsErrors = false;
        resolve.SetAction((parse, ct) => ResolveAsync(
            new ResolveArguments(parse.GetValue(serverName)!, parse.GetValue(connect), parse.GetValue(json), parse.GetValue(config), parse.UnmatchedTokens),
            build,
            output,
            error,
            ct));

        var root = new RootCommand("FederationEgress: Matrix federation egress proxy. Without a command, runs the proxy.") { resolve };
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var parseError in parseResult.Errors)
            {
                await error.WriteLineAsync(parseError.Message).ConfigureAwait(false);
            }

            await error.WriteLineAsync("Usage: resolve <server-name> [--connect] [--json] [--config <file>] [--Section:Key=value ...]").ConfigureAwait(false);
            return ExitUsage;
        }

        return await parseResult.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ResolveAsync(ResolveArguments arguments, Func<string[], Action<WebApplicationBuilder>?, WebApplication> build, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        foreach (var token in arguments.Overrides)
        {
            if (!token.StartsWith("--", StringComparison.Ordinal) || !token.Contains('='))
            {
                await error.WriteLineAsync($"Unrecognized argument '{token}'. Configuration overrides look like --Section:Key=value.").ConfigureAwait(false);
                return ExitUsage;
            }
        }

        if (!ResolveDiagnostics.TryParse(arguments.ServerName, out var name, out var nameError))
        {
            await error.WriteLineAsync($"'{arguments.ServerName}' is not a server name: {nameError}").ConfigureAwait(false);
            return ExitUsage;
        }

        var hostArgs = new List<string>(arguments.Overrides);
        if (arguments.Config is { } file)
        {
            hostArgs.Add("--config");
            hostArgs.Add(file);
        }

        WebApplication app;
        ResolveDiagnostics diagnostics;
        try
        {
            app = build(hostArgs.ToArray(), static builder =>
            {
                // Standard output carries the report only; warnings go to standard error.
                builder.Logging.ClearProviders();
                builder.Logging.AddConsole(static o => o.LogToStandardErrorThreshold = LogLevel.Trace);
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
            });

            // The proxy validates options when it starts; the CLI never starts, so validate here.
            app.Services.GetService<IStartupValidator>()?.Validate();
            diagnostics = app.Services.GetRequiredService<ResolveDiagnostics>();
        }
        catch (Exception ex) when (EgressHost.IsConfigurationError(ex))
        {
            await error.WriteLineAsync($"FederationEgress: invalid configuration: {ex.Message}").ConfigureAwait(false);
            return ExitUsage;
        }

        await using (app.ConfigureAwait(false))
        {
            // A CLI process starts with empty caches; bypassing them also keeps the report honest ("bypass").
            var report = await diagnostics.ResolveAsync(arguments.ServerName, name, fresh: true, arguments.Connect, cancellationToken).ConfigureAwait(false);
            if (arguments.Json)
            {
                await output.WriteLineAsync(DiagnosticJson.Serialize(report)).ConfigureAwait(false);
            }
            else
            {
                ReportTextWriter.Write(report, output);
            }

            return report.Result is null ? ExitFailed : ExitResolved;
        }
    }

    private sealed record ResolveArguments(string ServerName, bool Connect, bool Json, string? Config, IReadOnlyList<string> Overrides);
}
