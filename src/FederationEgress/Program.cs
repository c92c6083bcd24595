using FederationEgress.Diagnostics;
using FederationEgress.Diagnostics.Cli;
using FederationEgress.Discovery;
using FederationEgress.FrontEnds.Connect;
using FederationEgress.Dns;
using FederationEgress.Security;
using FederationEgress.Security.ClientAuth;
using FederationEgress.Hosting;

if (args is [EgressCli.ResolveCommand, ..])
{
    return await EgressCli.RunAsync(args, Program.BuildApp);
}

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
        builder.Logging.AddEgressLogging(builder.Configuration);

        // First: the telemetry SDK starts before, and flushes after, everything else.
        builder.Services.AddEgressTelemetry(builder.Configuration);
        builder.Services.AddEgressHosting(builder.Configuration);
        builder.Services.AddEgressResilience(builder.Configuration);
        builder.Services.AddEgressDns(builder.Configuration);
        builder.Services.AddEgressSecurity(builder.Configuration);
        builder.Services.AddEgressDiscovery(builder.Configuration);
        builder.Services.AddEgressForwarding(builder.Configuration);
        builder.Services.AddEgressSynapseFrontEnd(builder.Configuration);
        builder.Services.AddEgressConnectFrontEnd(builder.Configuration, ConnectDestinationPolicy.FromServices);
        builder.Services.AddEgressDiagnostics(builder.Configuration);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseEgressListeners(static management => management.MapEgressResolveEndpoint());

        // Synapse's listener authenticates with its own shared secret and selects its profile;
        // the path-mode listener uses the operator's client auth.
        app.UseEgressSynapseFrontEnd();
        app.UseWhen(static context => EgressListeners.RoleOf(context) == ListenerRole.Forwarding, static branch => branch.UseEgressClientAuth());
        app.RunEgressPathMode();
        return app;
    }
}
