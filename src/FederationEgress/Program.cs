using FederationEgress.Discovery;
using FederationEgress.Dns;
using FederationEgress.Security;
using FederationEgress.Security.ClientAuth;
using FederationEgress.Hosting;

return EgressHost.Run(() => Program.BuildApp(args));

/// <summary>Composition root: configuration, services and pipelines. Tests build the same app with overrides.</summary>
public partial class Program
{
    /// <summary>
    /// Builds the application. <paramref name="configure"/> runs after every area is registered, so
    /// tests can replace services (resolver, address policy) or add configuration.
    /// </summary>
    public static WebApplication BuildApp(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = EgressHost.CreateBuilder(args);
        builder.Services.AddEgressHosting(builder.Configuration);
        builder.Services.AddEgressDns(builder.Configuration);
        builder.Services.AddEgressSecurity(builder.Configuration);
        builder.Services.AddEgressDiscovery(builder.Configuration);
        builder.Services.AddEgressForwarding(builder.Configuration);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseEgressListeners();
        app.UseEgressClientAuth();

        // Front ends that claim requests before path mode (e.g. Synapse's proxy protocol) go here.
        app.RunEgressPathMode();
        return app;
    }
}
