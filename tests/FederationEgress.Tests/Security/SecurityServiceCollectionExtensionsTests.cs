using System.Net;
using FederationEgress.Security;
using FederationEgress.Security.ClientAuth;
using FederationEgress.Security.Destinations;
using FederationEgress.Security.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FederationEgress.Tests.Security;

public sealed class SecurityServiceCollectionExtensionsTests
{
    [Fact]
    public void AddEgressSecurity_Defaults_RegistersEveryPolicy()
    {
        using var provider = SecurityTestHost.Build(new Dictionary<string, string?>());

        Assert.False(provider.GetRequiredService<IEgressAddressPolicy>().IsAllowed(IPAddress.Loopback, out _));
        Assert.True(provider.GetRequiredService<IDestinationPolicy>().IsAllowed(FederationEgress.ServerNames.ServerName.Parse("example.org"), out _));
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13, provider.GetRequiredService<ITlsPolicy>().EnabledProtocols);
        var auth = provider.GetRequiredService<IClientAuthenticator>();
        Assert.False(auth.RequiresToken);
        Assert.Equal("Proxy-Authorization", auth.HeaderName);
        Assert.Same(provider.GetRequiredService<IEgressAddressPolicy>(), provider.GetRequiredService<IEgressAddressPolicy>());
    }

    [Fact]
    public async Task HostStart_InvalidSecurityOption_FailsNamingEveryBadKey()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection([
            new("IpPolicy:AllowRanges:0", "127.0.0.0/8"),
            new("IpPolicy:AllowRanges:1", "localhost"),
            new("Tls:MinimumVersion", "1.0"),
            new("Destinations:Deny:0", "bad name"),
            new("ClientAuth:HeaderName", "Authorization"),
        ]);
        builder.Services.AddEgressSecurity(builder.Configuration);
        await using var app = builder.Build();

        // One OptionsValidationException per bad section, aggregated by the host.
        var error = await Assert.ThrowsAsync<AggregateException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.All(error.InnerExceptions, e => Assert.IsType<OptionsValidationException>(e));
        var message = string.Join("\n", error.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures));
        Assert.Contains("IpPolicy:AllowRanges:1 'localhost' is not a CIDR", message);
        Assert.DoesNotContain("AllowRanges:0", message);
        Assert.Contains("Tls:MinimumVersion '1.0'", message);
        Assert.Contains("Destinations:Deny:0 'bad name'", message);
        Assert.Contains("ClientAuth:HeaderName must not be 'Authorization'", message);
    }

    [Fact]
    public void AddressPolicy_AllowedPath_DoesNotAllocate()
    {
        var policy = SecurityTestHost.Get<IEgressAddressPolicy>(new Dictionary<string, string?>
        {
            ["IpPolicy:AllowRanges:0"] = "127.0.0.0/8",
            ["IpPolicy:DenyRanges:0"] = "203.0.0.0/8",
        });
        IPAddress[] addresses =
        [
            IPAddress.Parse("8.8.8.8"), IPAddress.Parse("2606:4700::1111"), IPAddress.Parse("::ffff:8.8.8.8"),
            IPAddress.Parse("64:ff9b::808:808"), IPAddress.Parse("2001:0:4136:e378:8000:63bf:f7f7:f7f7"), IPAddress.Parse("127.0.0.1"),
        ];
        var allowed = 0;
        for (var i = 0; i < 200; i++)
        {
            foreach (var address in addresses)
            {
                allowed += policy.IsAllowed(address, out _) ? 1 : 0;
            }
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            foreach (var address in addresses)
            {
                allowed += policy.IsAllowed(address, out _) ? 1 : 0;
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1200 * addresses.Length, allowed);
    }
}
