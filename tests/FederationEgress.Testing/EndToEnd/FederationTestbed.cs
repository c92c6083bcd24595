using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Hosting;
using FederationEgress.Testing.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace FederationEgress.Testing.EndToEnd;

/// <summary>
/// The whole federation pipeline on loopback, with nothing faked: a <see cref="ScriptedDnsServer"/>
/// serving the zone, a <see cref="TestCertificateAuthority"/> whose root is written as a PEM file,
/// <see cref="TlsTestServer"/>s on chosen loopback IP:port pairs, and the REAL app
/// (<c>Program.BuildApp</c>) with its real DNS client, discovery, address policy and TLS policy,
/// configured with <c>Dns:Servers</c> = the scripted server, <c>IpPolicy:AllowRanges</c> = exactly
/// the loopback addresses the test declared, and <c>Tls:ExtraCaFiles</c> = the test CA.
/// <para>
/// Usage: <see cref="Create"/>, script <see cref="Dns"/>, start servers with
/// <see cref="StartServerAsync"/> (their addresses are allowed automatically; <see cref="Allow"/>
/// adds more, e.g. an address where nothing listens), then <see cref="StartProxyAsync"/>.
/// </para>
/// </summary>
public sealed class FederationTestbed : IAsyncDisposable
{
    /// <summary>Zone apex every test name lives under; negative answers carry its SOA.</summary>
    public const string Zone = "test";

    /// <summary>Negative-caching TTL (SOA minimum) of <see cref="Zone"/>.</summary>
    public const uint NegativeTtlSeconds = 60;

    private readonly List<TlsTestServer> _servers = [];
    private readonly List<string> _allowRanges = [];
    private TestbedProxy? _proxy;

    private FederationTestbed()
    {
        Dns = ScriptedDnsServer.Start();
        Dns.SetSoa(Zone, NegativeTtlSeconds);
        Ca = new TestCertificateAuthority("FederationEgress E2E CA");
        CaFile = Ca.WritePemFile();
    }

    /// <summary>The DNS server the proxy asks (its only configured server).</summary>
    public ScriptedDnsServer Dns { get; }

    /// <summary>The CA every test server certificate comes from; trusted by the proxy via <see cref="CaFile"/>.</summary>
    public TestCertificateAuthority Ca { get; }

    /// <summary>PEM file of <see cref="Ca"/>'s root (<c>Tls:ExtraCaFiles:0</c>).</summary>
    public string CaFile { get; }

    /// <summary>The TLS servers started so far.</summary>
    public IReadOnlyList<TlsTestServer> Servers => _servers;

    /// <summary>The app's services (after <see cref="StartProxyAsync"/>).</summary>
    public IServiceProvider Services => Proxy.Services;

    /// <summary>The bound forwarding (path-mode) listener.</summary>
    public IPEndPoint ForwardingEndPoint => Proxy.ForwardingEndPoint;

    /// <summary>The Synapse listener, when <see cref="StartProxyAsync"/> was asked for it.</summary>
    public IPEndPoint? SynapseEndPoint { get; private set; }

    /// <summary>The CONNECT listener, when <see cref="StartProxyAsync"/> was asked for it.</summary>
    public IPEndPoint? ConnectEndPoint { get; private set; }

    /// <summary>A client for the forwarding listener (no proxy, no redirects, no cookies).</summary>
    public HttpClient Client => Proxy.Client;

    private TestbedProxy Proxy => _proxy ?? throw new InvalidOperationException("the proxy is not started");

    /// <summary>Starts the DNS server and mints the CA.</summary>
    public static FederationTestbed Create() => new();

    /// <summary>
    /// Starts a TLS server on <paramref name="address"/>:<paramref name="port"/> (0: ephemeral)
    /// presenting a certificate from <see cref="Ca"/> for <paramref name="certificateNames"/> (IP
    /// strings become IP SANs), and allows its address in the proxy's IP policy.
    /// </summary>
    public Task<TlsTestServer> StartServerAsync(string address, int port, params string[] certificateNames) =>
        StartServerAsync(address, port, HttpProtocols.Http1AndHttp2, certificateNames);

    /// <summary>As above, offering only <paramref name="protocols"/> (e.g. HTTP/1.1 to send Connection headers).</summary>
    public async Task<TlsTestServer> StartServerAsync(string address, int port, HttpProtocols protocols, params string[] certificateNames)
    {
        var ip = IPAddress.Parse(address);
        var server = await TlsTestServer.StartAsync(Ca.IssueServerCertificate(certificateNames), ip, port, protocols);
        _servers.Add(server);
        Allow(ip);
        return server;
    }

    /// <summary>Allows <paramref name="address"/> (as a single-address range) in <c>IpPolicy:AllowRanges</c>.</summary>
    public FederationTestbed Allow(IPAddress address)
    {
        var range = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"{address}/128" : $"{address}/32";
        if (!_allowRanges.Contains(range))
        {
            _allowRanges.Add(range);
        }

        return this;
    }

    /// <summary>Allows <paramref name="address"/> (IP string) in <c>IpPolicy:AllowRanges</c>.</summary>
    public FederationTestbed Allow(string address) => Allow(IPAddress.Parse(address));

    /// <summary>
    /// Starts the real app. <paramref name="settings"/> are extra "Key=Value" entries (they may
    /// override the testbed's). With <paramref name="synapseAddress"/> / <paramref name="connectAddress"/>
    /// the Synapse / CONNECT front end is enabled on a free port of that loopback address (give each
    /// test its own address: the port is probed free and then handed to Kestrel).
    /// </summary>
    public async Task StartProxyAsync(string? synapseAddress = null, string? connectAddress = null, params string[] settings)
    {
        if (_proxy is not null)
        {
            throw new InvalidOperationException("the proxy is already started");
        }

        var all = new List<string> { $"Dns:Servers:0={Dns.Server}", $"Tls:ExtraCaFiles:0={CaFile}" };
        for (var i = 0; i < _allowRanges.Count; i++)
        {
            all.Add(string.Create(CultureInfo.InvariantCulture, $"IpPolicy:AllowRanges:{i}={_allowRanges[i]}"));
        }

        if (synapseAddress is not null)
        {
            SynapseEndPoint = new IPEndPoint(IPAddress.Parse(synapseAddress), FreeTcpPort(IPAddress.Parse(synapseAddress)));
            all.Add("Synapse:Enabled=true");
            all.Add($"Synapse:Address={SynapseEndPoint.Address}");
            all.Add(string.Create(CultureInfo.InvariantCulture, $"Synapse:Port={SynapseEndPoint.Port}"));
        }

        if (connectAddress is not null)
        {
            ConnectEndPoint = new IPEndPoint(IPAddress.Parse(connectAddress), FreeTcpPort(IPAddress.Parse(connectAddress)));
            all.Add("Connect:Enabled=true");
            all.Add($"Connect:Address={ConnectEndPoint.Address}");
            all.Add(string.Create(CultureInfo.InvariantCulture, $"Connect:Port={ConnectEndPoint.Port}"));
        }

        all.AddRange(settings);
        _proxy = await TestbedProxy.StartAsync(all);
    }

    /// <summary>
    /// Sends <c>{method} {target}</c> to the forwarding listener with the target bytes exactly as
    /// given (no canonicalisation of %2F and friends); returns once the response headers arrived.
    /// </summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string target, HttpContent? content = null) =>
        Proxy.SendAsync(method, target, content);

    /// <summary>An endpoint on <paramref name="address"/> where nothing listens (connections are refused).</summary>
    public static IPEndPoint RefusingEndPoint(IPAddress address) => new(address, FreeTcpPort(address));

    public async ValueTask DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        await Dns.DisposeAsync();
        Ca.Dispose();
        File.Delete(CaFile);
    }

    private static int FreeTcpPort(IPAddress address)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>The real app with the testbed's DNS, CA and allowed addresses; many concurrent client connections.</summary>
    private sealed class TestbedProxy : ProxyHost
    {
        private TestbedProxy(WebApplication app)
            : base(app, static handler => handler.MaxConnectionsPerServer = int.MaxValue)
        {
        }

        public static async Task<TestbedProxy> StartAsync(IEnumerable<string> settings) =>
            new(await StartAppAsync(settings, static _ => { }));
    }
}
