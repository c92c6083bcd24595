using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FederationEgress.Dns.Protocol;

namespace FederationEgress.Testing.Interop;

/// <summary>
/// A real DNS server (dnsmasq or unbound from the Debian packages) serving a generated
/// <see cref="RealDnsZone"/> on 127.0.0.1, UDP and TCP on one free port, in the foreground,
/// killed on dispose. Fails with a message pointing at tests/run-all.sh when the binary is missing.
/// </summary>
public sealed class RealDnsServer : IAsyncDisposable
{
    private const int StartAttempts = 5;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(50);

    private readonly ServerProcess _process;

    private RealDnsServer(RealDnsServerKind kind, ServerProcess process, IPEndPoint endPoint)
    {
        Kind = kind;
        _process = process;
        EndPoint = endPoint;
    }

    /// <summary>dnsmasq or unbound.</summary>
    public RealDnsServerKind Kind { get; }

    /// <summary>Where it listens (UDP and TCP).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>As a <c>Dns:Servers</c> entry.</summary>
    public string Server => EndPoint.ToString();

    /// <summary>The server's log (dnsmasq logs every query).</summary>
    public string Output => _process.Output;

    /// <summary>Starts <paramref name="kind"/> serving <paramref name="zone"/> and waits until it answers.</summary>
    public static async Task<RealDnsServer> StartAsync(RealDnsServerKind kind, RealDnsZone zone, CancellationToken cancellationToken = default)
    {
        var binary = InteropBinaries.Require(kind == RealDnsServerKind.Dnsmasq ? "dnsmasq" : "unbound");
        var failures = new StringBuilder();
        for (var attempt = 0; attempt < StartAttempts; attempt++)
        {
            var port = FreeUdpAndTcpPort();
            var directory = Directory.CreateTempSubdirectory($"fe-{kind.ToString().ToLowerInvariant()}-").FullName;
            var configPath = Path.Combine(directory, kind == RealDnsServerKind.Dnsmasq ? "dnsmasq.conf" : "unbound.conf");
            await File.WriteAllTextAsync(configPath, kind == RealDnsServerKind.Dnsmasq ? DnsmasqConfig(zone) : UnboundConfig(zone, port, directory), cancellationToken).ConfigureAwait(false);
            var arguments = kind == RealDnsServerKind.Dnsmasq ? DnsmasqArguments(port, configPath) : ["-d", "-c", configPath];
            var process = ServerProcess.Start(binary, arguments, directory);
            var endPoint = new IPEndPoint(IPAddress.Loopback, port);
            if (await WaitUntilAnsweringAsync(process, endPoint, zone.Domain, cancellationToken).ConfigureAwait(false))
            {
                return new RealDnsServer(kind, process, endPoint);
            }

            failures.AppendLine(CultureInfo.InvariantCulture, $"attempt {attempt + 1} on port {port}:").AppendLine(process.Output);
            await process.DisposeAsync().ConfigureAwait(false);
        }

        throw new InvalidOperationException($"{kind} did not start:{Environment.NewLine}{failures}");
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static IEnumerable<string> DnsmasqArguments(int port, string configPath)
    {
        var arguments = new List<string>
        {
            "-k",
            $"--port={port}",
            "--listen-address=127.0.0.1",
            "--bind-interfaces",
            "--no-resolv",
            "--no-hosts",
            $"--conf-file={configPath}",
            "--log-facility=-",
            "--log-queries",
            "--pid-file=",
        };
        if (InteropBinaries.IsRoot)
        {
            // dnsmasq drops to user "dnsmasq"/nobody otherwise, which cannot read our private directory.
            arguments.Add("--user=root");
        }

        return arguments;
    }

    private static string DnsmasqConfig(RealDnsZone zone)
    {
        var config = new StringBuilder();
        config.AppendLine(CultureInfo.InvariantCulture, $"local=/{zone.Domain}/");
        config.AppendLine(CultureInfo.InvariantCulture, $"local-ttl={zone.Ttl}");
        config.AppendLine("edns-packet-max=1232");
        foreach (var (name, address) in zone.Addresses)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"host-record={name},{address}");
        }

        foreach (var srv in zone.Services)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"srv-host={srv.Name},{srv.Target},{srv.Port},{srv.Priority},{srv.Weight}");
        }

        foreach (var (alias, target) in zone.Aliases)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"cname={alias},{target}");
        }

        return config.ToString();
    }

    private static string UnboundConfig(RealDnsZone zone, int port, string directory)
    {
        var config = new StringBuilder();
        config.AppendLine("server:");
        config.AppendLine(CultureInfo.InvariantCulture, $"  interface: 127.0.0.1@{port}");
        config.AppendLine(CultureInfo.InvariantCulture, $"  port: {port}");
        config.AppendLine("  do-daemonize: no");
        config.AppendLine("  username: \"\"");
        config.AppendLine("  chroot: \"\"");
        config.AppendLine(CultureInfo.InvariantCulture, $"  directory: \"{directory}\"");
        config.AppendLine(CultureInfo.InvariantCulture, $"  pidfile: \"{Path.Combine(directory, "unbound.pid")}\"");
        config.AppendLine("  use-syslog: no");
        config.AppendLine("  logfile: \"\"");
        config.AppendLine("  verbosity: 1");
        config.AppendLine("  log-queries: yes");
        config.AppendLine("  do-ip6: no");
        config.AppendLine("  num-threads: 1");
        config.AppendLine("  access-control: 127.0.0.0/8 allow");
        config.AppendLine("  module-config: \"iterator\"");
        config.AppendLine("  edns-buffer-size: 1232");
        config.AppendLine(CultureInfo.InvariantCulture, $"  local-zone: \"{zone.Domain}.\" static");
        config.AppendLine(CultureInfo.InvariantCulture, $"  local-data: \"{zone.Domain}. {zone.Ttl} IN SOA ns.{zone.Domain}. hostmaster.{zone.Domain}. 1 3600 600 86400 {zone.NegativeTtl}\"");
        foreach (var (name, address) in zone.Addresses)
        {
            var type = address.AddressFamily == AddressFamily.InterNetworkV6 ? "AAAA" : "A";
            config.AppendLine(CultureInfo.InvariantCulture, $"  local-data: \"{name}. {zone.Ttl} IN {type} {address}\"");
        }

        foreach (var srv in zone.Services)
        {
            var target = srv.Target == "." ? "." : srv.Target + ".";
            config.AppendLine(CultureInfo.InvariantCulture, $"  local-data: \"{srv.Name}. {zone.Ttl} IN SRV {srv.Priority} {srv.Weight} {srv.Port} {target}\"");
        }

        foreach (var (alias, target) in zone.Aliases)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"  local-data: \"{alias}. {zone.Ttl} IN CNAME {target}.\"");
        }

        config.AppendLine("remote-control:");
        config.AppendLine("  control-enable: no");
        return config.ToString();
    }

    private static async Task<bool> WaitUntilAnsweringAsync(ServerProcess process, IPEndPoint endPoint, string domain, CancellationToken cancellationToken)
    {
        var query = DnsMessageWriter.WriteQuery(0x4242, domain, DnsRecordType.SOA, 1232);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var buffer = new byte[ushort.MaxValue];
        while (waited.Elapsed < ReadyTimeout)
        {
            if (!process.IsRunning)
            {
                return false;
            }

            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            using var probeTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            probeTimeout.CancelAfter(ProbeInterval * 4);
            try
            {
                await socket.ConnectAsync(endPoint, probeTimeout.Token).ConfigureAwait(false);
                await socket.SendAsync(query, SocketFlags.None, probeTimeout.Token).ConfigureAwait(false);
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None, probeTimeout.Token).ConfigureAwait(false);
                if (received >= DnsMessageReader.HeaderSize && buffer[0] == 0x42 && buffer[1] == 0x42)
                {
                    return true;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            catch (SocketException)
            {
                // Not listening yet (ICMP port unreachable).
                await Task.Delay(ProbeInterval, cancellationToken).ConfigureAwait(false);
            }
        }

        return false;
    }

    private static int FreeUdpAndTcpPort()
    {
        while (true)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // TCP side taken: another port.
            }
        }
    }
}
