using System.Net;
using System.Net.Sockets;
using FederationEgress.Discovery;

namespace FederationEgress.Tests.Discovery;

public sealed class ResolvedEndpointTests
{
    [Theory]
    [InlineData("192.0.2.1", 8448, "192.0.2.1:8448")]
    [InlineData("2001:db8::1", 443, "[2001:db8::1]:443")]
    public void Constructor_FromAnEndPoint_IsThatAddressAndPort(string address, int port, string expected)
    {
        var endpoint = new ResolvedEndpoint(new IPEndPoint(IPAddress.Parse(address), port), "srv.example");

        Assert.Same(endpoint, endpoint.EndPoint);
        Assert.Equal(IPAddress.Parse(address), endpoint.Address);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal("srv.example", endpoint.Target);
        Assert.Equal(expected, endpoint.ToString());
    }

    [Fact]
    public void Equals_SameAddressAndPortFromAnotherTarget_IsEqual()
    {
        var a = new ResolvedEndpoint(IPEndPoint.Parse("192.0.2.1:8448"), "a.example");
        var b = new ResolvedEndpoint(IPEndPoint.Parse("192.0.2.1:8448"), "b.example");

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new ResolvedEndpoint(IPEndPoint.Parse("192.0.2.1:8449"), "a.example"));
    }

    [Fact]
    public async Task Socket_ConnectAsync_DialsTheResolvedEndpoint()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = new ResolvedEndpoint((IPEndPoint)listener.LocalEndpoint, "localhost");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        await socket.ConnectAsync(endpoint.EndPoint, TestContext.Current.CancellationToken);
        using var accepted = await listener.AcceptSocketAsync(TestContext.Current.CancellationToken);

        Assert.Equal(socket.LocalEndPoint, accepted.RemoteEndPoint);
    }
}
