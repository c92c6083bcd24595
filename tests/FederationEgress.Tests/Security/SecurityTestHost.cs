using FederationEgress.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FederationEgress.Tests.Security;

/// <summary>Builds the security services from in-memory configuration, as the app does.</summary>
internal static class SecurityTestHost
{
    public static ServiceProvider Build(IDictionary<string, string?> settings, TimeProvider? time = null, ILoggerProvider? logs = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        if (logs is null)
        {
            services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
            services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        }
        else
        {
            services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        }

        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddEgressSecurity(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public static T Get<T>(IDictionary<string, string?> settings)
        where T : notnull => Build(settings).GetRequiredService<T>();

    /// <summary>Runs every startup validator (what ValidateOnStart does) and returns the failure message, or null.</summary>
    public static string? StartupError(IDictionary<string, string?> settings)
    {
        using var provider = Build(settings);
        try
        {
            provider.GetRequiredService<IOptions<IpPolicyOptions>>().Value.ToString();
            provider.GetRequiredService<IOptions<FederationEgress.Security.Tls.TlsOptions>>().Value.ToString();
            provider.GetRequiredService<IOptions<FederationEgress.Security.Destinations.DestinationOptions>>().Value.ToString();
            provider.GetRequiredService<IOptions<FederationEgress.Security.ClientAuth.ClientAuthOptions>>().Value.ToString();
            return null;
        }
        catch (OptionsValidationException e)
        {
            return e.Message;
        }
    }
}
