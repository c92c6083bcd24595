using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FederationEgress.Hosting;

/// <summary>
/// Creates the application builder with FederationEgress's configuration sources, lowest
/// precedence first: proxy.json (next to the binary, or the file named by <c>--config</c> /
/// <c>FEDERATIONEGRESS_CONFIG</c>), environment variables (plain, then prefixed
/// <c>FEDERATIONEGRESS_</c>, "__" between levels), command line.
/// </summary>
public static class EgressHost
{
    /// <summary>Environment variable naming the configuration file.</summary>
    public const string ConfigFileVariable = "FEDERATIONEGRESS_CONFIG";

    /// <summary>Prefix of environment variables that override configuration keys.</summary>
    public const string EnvironmentPrefix = "FEDERATIONEGRESS_";

    /// <summary>The default configuration file name, looked up next to the binary.</summary>
    public const string DefaultConfigFile = "proxy.json";

    private const string ConfigArgument = "--config";

    /// <summary>Creates the builder; throws when an explicitly named configuration file does not exist.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });

        var explicitFile = FindConfigArgument(args) ?? Environment.GetEnvironmentVariable(ConfigFileVariable);
        var sources = builder.Configuration.Sources;
        sources.Clear();
        if (!string.IsNullOrEmpty(explicitFile))
        {
            var path = Path.GetFullPath(explicitFile);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The configuration file '{path}' (from {ConfigArgument} or {ConfigFileVariable}) does not exist.", path);
            }

            builder.Configuration.AddJsonFile(path, optional: false, reloadOnChange: false);
        }
        else
        {
            builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, DefaultConfigFile), optional: true, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        builder.Configuration.AddCommandLine(args);
        return builder;
    }

    /// <summary>Exit code when the configuration is invalid (distinct from crashes, for supervisors).</summary>
    public const int InvalidConfigurationExitCode = 2;

    /// <summary>
    /// Builds and runs the app until shutdown. A configuration error (invalid value, missing or
    /// malformed file) is reported as one line naming the key or file, with exit code 2, instead
    /// of a stack trace.
    /// </summary>
    public static int Run(Func<WebApplication> build)
    {
        try
        {
            using var app = (IDisposable)build();
            ((WebApplication)app).Run();
            return 0;
        }
        catch (Exception ex) when (IsConfigurationError(ex))
        {
            var detail = ex.InnerException is { } inner && inner.Message != ex.Message ? " (" + inner.Message + ")" : string.Empty;
            Console.Error.WriteLine($"FederationEgress: invalid configuration: {ex.Message}{detail}");
            return InvalidConfigurationExitCode;
        }
    }

    /// <summary>True for the exceptions that mean "bad configuration" (exit code 2) rather than a crash.</summary>
    internal static bool IsConfigurationError(Exception ex) =>
        ex is OptionsValidationException or FileNotFoundException or InvalidDataException

        // The binder's "Failed to convert configuration value '…' at 'Key' to type …".
        || (ex is InvalidOperationException && ex.TargetSite?.DeclaringType == typeof(ConfigurationBinder));

    private static string? FindConfigArgument(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == ConfigArgument && i + 1 < args.Length)
            {
                return args[i + 1];
            }

            if (args[i].StartsWith(ConfigArgument + "=", StringComparison.Ordinal))
            {
                return args[i][(ConfigArgument.Length + 1)..];
            }
        }

        return null;
    }
}
