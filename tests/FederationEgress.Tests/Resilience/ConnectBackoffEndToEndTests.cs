using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FederationEgress.Resilience;
using FederationEgress.Testing.EndToEnd;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.Tests.Resilience;

/// <summary>
/// The real app (<c>Program.BuildApp</c>): the CONNECT front end and path mode share one
/// back-off, so a target the CONNECT listener found dead is refused by path mode too. Addresses
/// 127.86.9.x belong to this class.
/// </summary>
public sealed class ConnectBackoffEndToEndTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RefusedConnectTarget_BackedOffForConnectAndPathModeAlike()
    {
        await using var bed = FederationTestbed.Create();
        var dead = FederationTestbed.RefusingEndPoint(IPAddress.Parse("127.86.9.1"));
        bed.Allow(dead.Address);
        await bed.StartProxyAsync(
            connectAddress: "127.86.9.250",
            settings:
            [
                string.Create(CultureInfo.InvariantCulture, $"Connect:AllowedPorts:0={dead.Port}"),
                "Backoff:FailureThreshold=2", "Backoff:InitialSeconds=600", "Backoff:JitterFraction=0",
            ]);
        var target = $"{dead.Address}:{dead.Port}";

        Assert.StartsWith("HTTP/1.1 502 ", await ConnectAsync(bed, target), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 502 ", await ConnectAsync(bed, target), StringComparison.Ordinal);
        var backedOff = await ConnectAsync(bed, target);

        Assert.StartsWith("HTTP/1.1 503 ", backedOff, StringComparison.Ordinal);
        Assert.Contains("\r\nRetry-After: 600\r\n", backedOff, StringComparison.Ordinal);
        Assert.Contains("\"reason\":\"destination_backoff\"", backedOff, StringComparison.Ordinal);
        var state = bed.Services.GetRequiredService<IDestinationHealth>().GetState(target);
        Assert.Equal(DestinationHealthStatus.BackingOff, state.Status);
        Assert.Equal("connect", state.LastError!.Step);

        // Same key, same instance: path mode to the same IP:port is refused without dialling.
        using var viaPathMode = await bed.SendAsync(HttpMethod.Get, $"/{target}/_matrix/federation/v1/version");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, viaPathMode.StatusCode);
        Assert.Equal("600", viaPathMode.Headers.GetValues("Retry-After").Single());
        Assert.Contains("destination_backoff", await viaPathMode.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private static async Task<string> ConnectAsync(FederationTestbed bed, string target)
    {
        using var guard = new CancellationTokenSource(Guard);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(bed.ConnectEndPoint!, guard.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"CONNECT {target} HTTP/1.0\r\n\r\n"), SocketFlags.None, guard.Token);
        var all = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, guard.Token)) > 0)
        {
            all.Write(buffer, 0, read);
        }

        return Encoding.ASCII.GetString(all.ToArray());
    }
}
