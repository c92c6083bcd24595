using System.Net;
using System.Net.Sockets;
using System.Text;
using FederationEgress.Testing.Hosting;

namespace FederationEgress.Tests.Security.HostileInput;

/// <summary>Sends arbitrary request bytes (anything a hostile client could write) and reads the answer until the server closes.</summary>
internal static class RawExchange
{
    /// <summary>How long a test waits for the server's answer before failing instead of hanging.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    public static async Task<RawHttp.Response> SendAsync(IPEndPoint endPoint, string request)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(HangGuard);
        using var client = new TcpClient(endPoint.AddressFamily);
        await client.ConnectAsync(endPoint, cts.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request), cts.Token);
        using var buffer = new MemoryStream();
        try
        {
            await stream.CopyToAsync(buffer, cts.Token);
        }
        catch (IOException)
        {
            // A reset after the response (Kestrel aborting a bad request) still leaves the response read so far.
        }

        var text = Encoding.UTF8.GetString(buffer.ToArray());
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? text : text[..split];
        var body = split < 0 ? string.Empty : text[(split + 4)..];
        var status = head.Length >= 12 && int.TryParse(head.AsSpan(9, 3), out var code) ? code : 0;
        return new RawHttp.Response(status, head, body);
    }

    /// <summary>A request line plus the usual headers, closed after the answer.</summary>
    public static string Request(string requestLine, string extraHeaders = "") =>
        $"{requestLine}\r\nHost: proxy\r\n{extraHeaders}Connection: close\r\nContent-Length: 0\r\n\r\n";
}
