using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FederationEgress.Tests.FrontEnds.Connect;

/// <summary>CONNECT tunnels in Synapse's HTTP/1.0 form and Go's HTTP/1.1 form against loopback servers.</summary>
public sealed class ConnectFrontEndTests
{
    private const string Established = "HTTP/1.1 200 Connection established\r\n\r\n";
    private static int s_nextAddress;

    /// <summary>A loopback address no other test in this class uses.</summary>
    internal static IPAddress UniqueLoopback()
    {
        var n = Interlocked.Increment(ref s_nextAddress);
        return new IPAddress([127, 91, (byte)(n / 250), (byte)((n % 250) + 2)]);
    }

    internal static Dictionary<string, string?> Ports(params int[] ports) =>
        ports.Select((p, i) => new KeyValuePair<string, string?>($"Connect:AllowedPorts:{i}", p.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToDictionary();

    internal static async Task<string> ReadHeadAsync(RawHttpConnection client)
    {
        var response = await client.ReadResponseAsync();
        Assert.NotNull(response);
        return response.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task SynapseForm_Http10NoHost_200ThenBytesEchoedBothWays()
    {
        var address = UniqueLoopback();
        await using var echo = LoopbackEchoServer.Start(address);
        await using var host = await ConnectTestHost.StartAsync(Ports(echo.EndPoint.Port));
        host.Dns.Set("srv-target.example", address);
        await using var client = await TunnelClient.ConnectAsync(host.EndPoint);

        await client.SendAsync($"CONNECT srv-target.example:{echo.EndPoint.Port} HTTP/1.0\r\n\r\n");

        Assert.Equal(Established, await client.ReadExactlyAsync(Established.Length));
        await client.SendAsync("ping over the tunnel");
        Assert.Equal("ping over the tunnel", await client.ReadExactlyAsync(20));
        Assert.Equal(["srv-target.example"], host.Dns.Queries);
    }

    [Fact]
    public async Task GoForm_Http11WithHostUserAgentAndBasicAuth_Tunnelled()
    {
        var address = UniqueLoopback();
        await using var echo = LoopbackEchoServer.Start(address);
        var settings = Ports(echo.EndPoint.Port);
        settings["Connect:Username"] = "user";
        settings["Connect:Password"] = "pass";
        await using var host = await ConnectTestHost.StartAsync(settings);
        host.Dns.Set("remote.example", address);
        await using var client = await TunnelClient.ConnectAsync(host.EndPoint);

        await client.SendAsync(
            $"CONNECT remote.example:{echo.EndPoint.Port} HTTP/1.1\r\nHost: remote.example:{echo.EndPoint.Port}\r\n" +
            "User-Agent: Go-http-client/1.1\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n");

        Assert.Equal(Established, await client.ReadExactlyAsync(Established.Length));
        await client.SendAsync("go");
        Assert.Equal("go", await client.ReadExactlyAsync(2));
    }

    [Theory]
    [InlineData("::1:{0}")]
    [InlineData("[::1]:{0}")]
    public async Task IPv6Literal_BracketedOrSynapseUnbracketed_DialledWithoutDns(string targetFormat)
    {
        await using var echo = LoopbackEchoServer.Start(IPAddress.IPv6Loopback);
        await using var host = await ConnectTestHost.StartAsync(Ports(echo.EndPoint.Port));
        await using var client = await TunnelClient.ConnectAsync(host.EndPoint);

        await client.SendAsync($"CONNECT {string.Format(System.Globalization.CultureInfo.InvariantCulture, targetFormat, echo.EndPoint.Port)} HTTP/1.0\r\n\r\n");

        Assert.Equal(Established, await client.ReadExactlyAsync(Established.Length));
        await client.SendAsync("v6");
        Assert.Equal("v6", await client.ReadExactlyAsync(2));
        Assert.Empty(host.Dns.Queries);
    }

    [Fact]
    public async Task BytesSentWithTheHead_ForwardedAfterTheTunnelOpens()
    {
        var address = UniqueLoopback();
        await using var echo = LoopbackEchoServer.Start(address);
        await using var host = await ConnectTestHost.StartAsync(Ports(echo.EndPoint.Port));
        await using var client = await TunnelClient.ConnectAsync(host.EndPoint);

        await client.SendAsync($"CONNECT {address}:{echo.EndPoint.Port} HTTP/1.1\r\nHost: x\r\n\r\nearly-data");

        Assert.Equal(Established + "early-data", await client.ReadExactlyAsync(Established.Length + 10));
    }

    [Fact]
    public async Task FirstAddressRefuses_FailsOverToNextAddress()
    {
        var dead = UniqueLoopback();
        var live = UniqueLoopback();
        await using var echo = LoopbackEchoServer.Start(live);
        await using var host = await ConnectTestHost.StartAsync(Ports(echo.EndPoint.Port));
        host.Dns.Set("two.example", dead, live);
        await using var client = await TunnelClient.ConnectAsync(host.EndPoint);

        await client.SendAsync($"CONNECT two.example:{echo.EndPoint.Port} HTTP/1.0\r\n\r\n");

        Assert.Equal(Established, await client.ReadExactlyAsync(Established.Length));
        Assert.Equal(1, echo.ConnectionCount);
    }

    [Fact]
    public async Task TlsThroughTunnel_RemoteSeesClientsSniAndHost()
    {
        using var ca = new FederationEgress.Testing.Tls.TestCertificateAuthority();
        var address = UniqueLoopback();
        await using var tls = await FederationEgress.Testing.Tls.TlsTestServer.StartAsync(ca.IssueServerCertificate(["remote.example"]), address);
        await using var host = await ConnectTestHost.StartAsync(Ports(tls.Port));
        host.Dns.Set("remote.example", address);

        using var handler = new SocketsHttpHandler
        {
            Proxy = new WebProxy($"http://{host.EndPoint}"),
            UseProxy = true,
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.Issuer == ca.Certificate.Subject },
        };
        using var http = new HttpClient(handler);
        var body = await http.GetStringAsync(new Uri($"https://remote.example:{tls.Port}/_matrix/federation/v1/version"), TestContext.Current.CancellationToken);

        Assert.Equal("{\"ok\":true}", body);
        var seen = Assert.Single(tls.Requests);
        Assert.Equal("remote.example", seen.Sni);
        Assert.Equal($"remote.example:{tls.Port}", seen.Host);
        Assert.False(seen.Headers.ContainsKey("proxy-authorization"));
    }

    [Fact]
    public async Task ClientHalfCloses_DestinationSeesFinThenItsCloseEndsTheTunnel()
    {
        var address = UniqueLoopback();
        await using var echo = LoopbackEchoServer.Start(address);
        await using var host = await ConnectTestHost.StartAsync(Ports(echo.EndPoint.Port));
        await using var client = await TunnelClient.ConnectAsync(host.EndPoint);
        await client.SendAsync($"CONNECT {address}:{echo.EndPoint.Port} HTTP/1.0\r\n\r\n");
        Assert.Equal(Established, await client.ReadExactlyAsync(Established.Length));

        await client.SendAsync("last words");
        client.ShutdownSend();

        await echo.ClientFinSeen.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.Equal("last words", await client.ReadToEndAsync());
    }

    [Fact]
    public async Task DestinationCloses_ClientReceivesPendingBytesThenEof()
    {
        await using var quiet = LoopbackEchoServer.Start(UniqueLoopback(), echo: false);
        await using var host = await ConnectTestHost.StartAsync(Ports(quiet.EndPoint.Port));
        await using var client = await TunnelClient.ConnectAsync(host.EndPoint);
        var remote = new QuietServer(quiet);
        await client.SendAsync($"CONNECT {quiet.EndPoint.Address}:{quiet.EndPoint.Port} HTTP/1.0\r\n\r\n");
        Assert.Equal(Established, await client.ReadExactlyAsync(Established.Length));

        await remote.SendAndCloseAsync("goodbye");

        Assert.Equal("goodbye", await client.ReadToEndAsync());
    }

    [Fact]
    public async Task ClientResets_DestinationConnectionClosed()
    {
        await using var quiet = LoopbackEchoServer.Start(UniqueLoopback(), echo: false);
        await using var host = await ConnectTestHost.StartAsync(Ports(quiet.EndPoint.Port));
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(host.EndPoint, TestContext.Current.CancellationToken);
        await client.SendAsync(Encoding.ASCII.GetBytes($"CONNECT {quiet.EndPoint.Address}:{quiet.EndPoint.Port} HTTP/1.0\r\n\r\n"), SocketFlags.None);
        var head = new byte[39];
        await client.ReceiveAsync(head, SocketFlags.None, TestContext.Current.CancellationToken);
        var remote = await quiet.FirstConnection.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        client.LingerState = new LingerOption(true, 0);
        client.Close();

        var buffer = new byte[16];
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int read;
        try
        {
            read = await remote.ReceiveAsync(buffer, SocketFlags.None, guard.Token);
        }
        catch (SocketException)
        {
            read = 0;
        }

        Assert.Equal(0, read);
    }

    /// <summary>Drives the first connection accepted by a non-echoing server by hand.</summary>
    private sealed class QuietServer(LoopbackEchoServer server)
    {
        public async Task SendAndCloseAsync(string text)
        {
            var socket = await server.FirstConnection.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await socket.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None);
            socket.Shutdown(SocketShutdown.Both);
            socket.Close();
        }
    }
}
