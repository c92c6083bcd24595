using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FederationEgress.Testing.Hosting;

/// <summary>
/// Hand-written HTTP/1.1 requests for targets a normal client would refuse or normalise (control
/// bytes, dot-segments, absolute-form). Sends with "Connection: close" and reads the whole answer.
/// </summary>
public static class RawHttp
{
    /// <summary>A raw response: status code and everything after the header block.</summary>
    public sealed record Response(int StatusCode, string Head, string Body);

    /// <summary>Sends <c>{method} {target} HTTP/1.1</c> (target bytes as Latin-1) and returns the response.</summary>
    public static async Task<Response> SendAsync(IPEndPoint endPoint, string method, string target, CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient(endPoint.AddressFamily);
        await client.ConnectAsync(endPoint, cancellationToken);
        var stream = client.GetStream();
        var head = $"{method} {target} HTTP/1.1\r\nHost: {endPoint}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head), cancellationToken);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        var text = Encoding.UTF8.GetString(buffer.ToArray());
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var responseHead = split < 0 ? text : text[..split];
        var body = split < 0 ? string.Empty : text[(split + 4)..];
        var status = responseHead.Length >= 12 && int.TryParse(responseHead.AsSpan(9, 3), out var code) ? code : 0;
        return new Response(status, responseHead, body);
    }
}
