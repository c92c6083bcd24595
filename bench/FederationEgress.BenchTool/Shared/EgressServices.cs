using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace FederationEgress.BenchTool.Shared;

/// <summary>
/// Builds the product's own composition (<c>Program.BuildApp</c>) without starting its listeners, so
/// the benches drive exactly the services the proxy runs (resolver, DNS cache, upstream handlers,
/// address and TLS policy) configured through the same keys an operator uses.
/// </summary>
internal static class EgressServices
{
    public static WebApplication Build(string dnsServer, string caFile, IDictionary<string, string>? extra = null)
    {
        var config = new Dictionary<string, string>
        {
            ["Dns:Servers:0"] = dnsServer,
            ["IpPolicy:AllowRanges:0"] = "127.0.0.0/8",
            ["Tls:ExtraCaFiles:0"] = caFile,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            config[key] = value;
        }

        var args = config.Select(kv => $"--{kv.Key}={kv.Value}").ToArray();
        return global::Program.BuildApp(args, builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
    }
}
