using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using FederationEgress.Testing.EndToEnd;
using FederationEgress.Testing.Tls;

namespace FederationEgress.Tests.EndToEnd;

/// <summary>
/// The CONNECT front end through the real app: the target name is resolved by the proxy's own DNS
/// client (scripted DNS) and the egress IP policy applies to the address dialled. Addresses
/// 127.201.8.x belong to this class (CONNECT listeners on 127.201.8.25x).
/// </summary>
public sealed class ConnectEndToEndTests
{
    private const string Established = "HTTP/1.1 200 Connection established\r\n\r\n";
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ConnectByName_TunnelToAllowedTlsServer_RemoteSeesHomeserversSniAndHost()
    {
        await using var bed = FederationTestbed.Create();
        const string target = "connect-target.e2e8.test";
        const string serverName = "connect-origin.e2e8.test";
        var remote = await bed.StartServerAsync("127.201.8.1", 8448, serverName);
        bed.Dns.AddA(target, "127.201.8.1");
        await bed.StartProxyAsync(connectAddress: "127.201.8.250");
        using var guard = new CancellationTokenSource(Guard);

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(bed.ConnectEndPoint!, guard.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);

        // Synapse's https_proxy form: HTTP/1.0, no Host header, the SRV target name.
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT {target}:8448 HTTP/1.0\r\n\r\n"), guard.Token);
        Assert.Equal(Established, await ReadExactlyAsync(stream, Established.Length, guard.Token));

        // The homeserver did discovery: TLS inside the tunnel names the server name, not the target.
        await using var tls = new SslStream(stream, leaveInnerStreamOpen: true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => Issued(bed.Ca, certificate),
        }, guard.Token);
        await tls.WriteAsync(Encoding.ASCII.GetBytes($"GET /_matrix/federation/v1/version HTTP/1.1\r\nHost: {serverName}\r\nConnection: close\r\n\r\n"), guard.Token);
        var response = await ReadToEndAsync(tls, guard.Token);

        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        var seen = Assert.Single(remote.Requests);
        Assert.Equal(serverName, seen.Sni);
        Assert.Equal(serverName, seen.Host);
        Assert.Equal("/_matrix/federation/v1/version", seen.RawTarget);
        Assert.Equal(8448, seen.LocalPort);
        Assert.Equal(1, bed.Dns.QueryCount(target, FederationEgress.Dns.Protocol.DnsRecordType.A));
    }

    [Fact]
    public async Task ConnectToNameResolvingToDeniedAddress_403AndNoConnectionAtTarget()
    {
        await using var bed = FederationTestbed.Create();
        const string target = "connect-denied.e2e8.test";

        // Started outside the testbed so its address is NOT in IpPolicy:AllowRanges (loopback is denied by default).
        await using var denied = await TlsTestServer.StartAsync(bed.Ca.IssueServerCertificate([target]), IPAddress.Parse("127.201.8.2"), 8448);
        bed.Dns.AddA(target, "127.201.8.2");
        await bed.StartProxyAsync(connectAddress: "127.201.8.251");
        using var guard = new CancellationTokenSource(Guard);

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(bed.ConnectEndPoint!, guard.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT {target}:8448 HTTP/1.1\r\nHost: {target}:8448\r\n\r\n"), guard.Token);
        var response = await ReadToEndAsync(stream, guard.Token);

        Assert.StartsWith("HTTP/1.1 403", response, StringComparison.Ordinal);
        Assert.Contains("127.201.8.2", response, StringComparison.Ordinal);
        Assert.Equal(0, denied.ConnectionCount);
    }

    [Fact]
    public async Task ConnectToProxysOwnListener_RefusedAsLoopEvenWhenAddressAllowed()
    {
        await using var bed = FederationTestbed.Create();
        var listener = new IPEndPoint(IPAddress.Parse("127.201.8.253"), FreePort(IPAddress.Parse("127.201.8.253")));

        // The listener's own address is allowed and its port permitted: only loop protection stands in the way.
        bed.Allow(listener.Address);
        await bed.StartProxyAsync(settings:
        [
            "Connect:Enabled=true",
            $"Connect:Address={listener.Address}",
            $"Connect:Port={listener.Port}",
            $"Connect:AllowedPorts:0={listener.Port}",
        ]);
        using var guard = new CancellationTokenSource(Guard);

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(listener, guard.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT {listener} HTTP/1.1\r\nHost: {listener}\r\n\r\n"), guard.Token);
        var response = await ReadToEndAsync(stream, guard.Token);

        Assert.StartsWith("HTTP/1.1 403", response, StringComparison.Ordinal);
        Assert.Contains("own listeners", response, StringComparison.Ordinal);
    }

    private static int FreePort(IPAddress address)
    {
        using var probe = new TcpListener(address, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static bool Issued(TestCertificateAuthority ca, X509Certificate? certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca.Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return certificate is not null && chain.Build(new X509Certificate2(certificate));
    }

    private static async Task<string> ReadExactlyAsync(Stream stream, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        return Encoding.ASCII.GetString(buffer);
    }

    private static async Task<string> ReadToEndAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var all = new MemoryStream();
        try
        {
            await stream.CopyToAsync(all, cancellationToken);
        }
        catch (IOException)
        {
            // A reset after the response also ends the read.
        }

        return Encoding.UTF8.GetString(all.ToArray());
    }
}
