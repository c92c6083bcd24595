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
        builder.Services.AddEgressForwarding(builder.Configuration);

        // Stand-ins (steps 1-2 resolver, OS DNS, allow-all address policy): each only registers when
        // the real area (AddEgressDns, AddEgressDiscovery, AddEgressSecurity) has not.
        builder.Services.AddEgressInterimDependencies();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseEgressListeners();

        // Front ends that claim requests before path mode (e.g. Synapse's proxy protocol) go here.
        app.RunEgressPathMode();
        return app;
    }
}
