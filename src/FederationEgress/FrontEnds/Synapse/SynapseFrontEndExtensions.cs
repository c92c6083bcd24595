using System.Net;
using FederationEgress.FrontEnds.Synapse;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration and hosting of the Synapse <c>outbound_federation_restricted_to</c> front end.</summary>
public static class SynapseFrontEndExtensions
{
    /// <summary>Binds and validates the "Synapse" section and registers the front end's services.</summary>
    public static IServiceCollection AddEgressSynapseFrontEnd(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SynapseFrontEndOptions>()
            .Bind(configuration.GetSection(SynapseFrontEndOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SynapseFrontEndOptions>, SynapseFrontEndOptionsValidator>());
        services.TryAddSingleton<SynapseProxyAuthenticator>();
        services.TryAddSingleton<SynapseForwardingProfile>();
        return services;
    }

    /// <summary>
    /// Opens the dedicated Synapse listener (TCP <c>Synapse:Address</c>:<c>Synapse:Port</c>, or
    /// <c>Synapse:UnixSocketPath</c>) when <c>Synapse:Enabled</c> is true. Call inside ConfigureKestrel;
    /// <paramref name="configure"/> runs first on the listener (the host tags its role there).
    /// </summary>
    public static KestrelServerOptions ListenEgressSynapse(this KestrelServerOptions kestrel, Action<ListenOptions>? configure = null)
    {
        var options = kestrel.ApplicationServices.GetRequiredService<IOptions<SynapseFrontEndOptions>>().Value;
        if (!options.Enabled)
        {
            return kestrel;
        }

        var loggers = kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>();
        var tls = SynapseTlsCertificate.FromOptions(options, loggers.CreateLogger<SynapseTlsCertificate>());
        if (!string.IsNullOrEmpty(options.UnixSocketPath))
        {
            StaleUnixSocket.RemoveIfStale(options.UnixSocketPath);
            kestrel.ListenUnixSocket(options.UnixSocketPath, listen =>
            {
                configure?.Invoke(listen);
                listen.UseEgressSynapseProtocol(tls);
            });
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(options.Address), options.Port, listen =>
            {
                configure?.Invoke(listen);
                listen.UseEgressSynapseProtocol(tls);
            });
        }

        return kestrel;
    }

    /// <summary>
    /// Makes <paramref name="listen"/> speak Synapse's protocol: HTTP/1.1 only, with the connection
    /// adapter rewriting <c>matrix-federation://</c> request lines, over TLS when
    /// <paramref name="tls"/> is given (Synapse's <c>tls: true</c>). The listener must be dedicated.
    /// </summary>
    internal static ListenOptions UseEgressSynapseProtocol(this ListenOptions listen, SynapseTlsCertificate? tls = null)
    {
        listen.Protocols = HttpProtocols.Http1;
        if (tls is not null)
        {
            // Before the adapter: it rewrites the decrypted request line.
            listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => tls.Current);
        }

        var logger = listen.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger<SynapseConnectionAdapter>();
        listen.Use(next => new SynapseConnectionAdapter(next, logger).OnConnectionAsync);
        return listen;
    }

    /// <summary>
    /// Adds the middleware that authenticates Synapse-listener requests and selects the Synapse
    /// forwarding profile. Place it first, before routing / the forwarding endpoint. Adds nothing
    /// when <c>Synapse:Enabled</c> is false.
    /// </summary>
    public static IApplicationBuilder UseEgressSynapseFrontEnd(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<SynapseFrontEndOptions>>().Value;
        return options.Enabled ? app.UseMiddleware<SynapseFrontEndMiddleware>() : app;
    }
}
