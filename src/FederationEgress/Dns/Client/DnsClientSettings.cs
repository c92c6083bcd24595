using System.Net;

namespace FederationEgress.Dns.Client;

/// <summary>The effective client settings: <see cref="DnsOptions"/> with resolv.conf filling the gaps.</summary>
/// <param name="Servers">Servers, tried in this order.</param>
/// <param name="Timeout">Per-exchange timeout.</param>
/// <param name="Attempts">Passes over <paramref name="Servers"/>.</param>
/// <param name="UdpPayloadSize">EDNS0 payload size advertised.</param>
/// <param name="Source">Where the servers came from ("configuration", the resolv.conf path, or "fallback").</param>
public sealed record DnsClientSettings(IReadOnlyList<IPEndPoint> Servers, TimeSpan Timeout, int Attempts, ushort UdpPayloadSize, string Source)
{
    /// <summary>glibc's server when resolv.conf names none.</summary>
    public static readonly IPEndPoint FallbackServer = new(IPAddress.Loopback, DnsServerEndPoint.DefaultPort);

    /// <summary><see cref="Source"/> when neither configuration nor resolv.conf named a server.</summary>
    public const string FallbackSource = "fallback";

    /// <summary>True when no server was configured or found in resolv.conf (only the guessed <see cref="FallbackServer"/>).</summary>
    public bool IsFallback => Source == FallbackSource;

    /// <summary>Builds the settings; reads resolv.conf (through <paramref name="loadResolvConf"/>) only when no servers are configured.</summary>
    public static DnsClientSettings Create(DnsOptions options, Func<string, ResolvConf>? loadResolvConf = null)
    {
        IReadOnlyList<IPEndPoint> servers;
        string source;
        int? timeoutMs = options.TimeoutMilliseconds;
        var attempts = options.Attempts;
        if (options.Servers.Count > 0)
        {
            servers = options.Servers
                .Select(s => DnsServerEndPoint.TryParse(s, out var endPoint, out var error)
                    ? endPoint
                    : throw new ArgumentException($"{DnsOptions.SectionName}:Servers {error}"))
                .ToArray();
            source = "configuration";
        }
        else
        {
            var conf = (loadResolvConf ?? ResolvConf.Load)(options.ResolvConfPath);
            timeoutMs ??= conf.TimeoutSeconds * 1000;
            attempts ??= conf.Attempts;
            if (conf.Servers.Count > 0)
            {
                servers = conf.Servers;
                source = options.ResolvConfPath;
            }
            else
            {
                servers = [FallbackServer];
                source = FallbackSource;
            }
        }

        return new DnsClientSettings(
            servers,
            TimeSpan.FromMilliseconds(timeoutMs ?? DnsOptions.DefaultTimeoutMilliseconds),
            attempts ?? DnsOptions.DefaultAttempts,
            (ushort)options.UdpPayloadSize,
            source);
    }
}
