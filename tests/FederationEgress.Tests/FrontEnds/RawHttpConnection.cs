using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace FederationEgress.Tests.FrontEnds;

/// <summary>A raw socket speaking HTTP/1.x byte for byte, for tests that must control every byte on the wire.</summary>
internal sealed class RawHttpConnection : IAsyncDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);
    private readonly Socket _socket;
    private readonly SslStream? _tls;
    private readonly List<byte> _pending = [];

    private RawHttpConnection(Socket socket, SslStream? tls = null)
    {
        _socket = socket;
        _tls = tls;
    }

    /// <summary>The server certificate of a TLS connection.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate? RemoteCertificate => _tls?.RemoteCertificate;

    /// <summary>Connects and completes a TLS handshake for <paramref name="targetHost"/>; the bytes then go through TLS.</summary>
    public static async Task<RawHttpConnection> ConnectTlsAsync(EndPoint endPoint, string targetHost, RemoteCertificateValidationCallback validate)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false, validate);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = targetHost });
        return new RawHttpConnection(socket, tls);
    }

    public static async Task<RawHttpConnection> ConnectAsync(EndPoint endPoint)
    {
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        return new RawHttpConnection(socket);
    }

    public Task SendAsync(string ascii) => SendAsync(Encoding.Latin1.GetBytes(ascii));

    public async Task SendAsync(byte[] bytes)
    {
        if (_tls is not null)
        {
            await _tls.WriteAsync(bytes);
            await _tls.FlushAsync();
            return;
        }

        await _socket.SendAsync(bytes, SocketFlags.None);
    }

    /// <summary>Half-closes the sending side (FIN).</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Reads one response (Content-Length, chunked, or until close); null at a clean EOF before any byte.</summary>
    public async Task<RawHttpResponse?> ReadResponseAsync()
    {
        var headEnd = await FillUntilAsync("\r\n\r\n"u8.ToArray());
        if (headEnd < 0)
        {
            return null;
        }

        var head = Encoding.Latin1.GetString(_pending.GetRange(0, headEnd).ToArray());
        _pending.RemoveRange(0, headEnd + 4);
        var lines = head.Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => (Name: l[..l.IndexOf(':')], Value: l[(l.IndexOf(':') + 1)..].Trim())).ToList();
        string? Header(string name) => headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

        byte[] body;
        if (Header("Content-Length") is { } cl)
        {
            body = await TakeAsync(int.Parse(cl, System.Globalization.CultureInfo.InvariantCulture));
        }
        else if (Header("Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var collected = new List<byte>();
            while (true)
            {
                var lineEnd = await FillUntilAsync("\r\n"u8.ToArray());
                if (lineEnd < 0)
                {
                    throw new IOException("connection closed inside a chunked response");
                }

                var size = Convert.ToInt32(Encoding.ASCII.GetString(_pending.GetRange(0, lineEnd).ToArray()).Split(';')[0], 16);
                _pending.RemoveRange(0, lineEnd + 2);
                collected.AddRange(await TakeAsync(size));
                await TakeAsync(2);
                if (size == 0)
                {
                    break;
                }
            }

            body = collected.ToArray();
        }
        else
        {
            while (await ReceiveMoreAsync())
            {
            }

            body = _pending.ToArray();
            _pending.Clear();
        }

        return new RawHttpResponse(status, headers, body);
    }

    /// <summary>True when the server closed (EOF or reset) with no further bytes; false if bytes arrive.</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        if (_pending.Count > 0)
        {
            return false;
        }

        try
        {
            return !await ReceiveMoreAsync();
        }
        catch (SocketException)
        {
            return true;
        }
    }

    /// <summary>Everything the server sends until it closes (or resets) the connection.</summary>
    public async Task<byte[]> ReadToEndAsync()
    {
        try
        {
            while (await ReceiveMoreAsync())
            {
            }
        }
        catch (SocketException)
        {
        }

        var all = _pending.ToArray();
        _pending.Clear();
        return all;
    }

    public async ValueTask DisposeAsync()
    {
        if (_tls is not null)
        {
            await _tls.DisposeAsync();
        }

        _socket.Dispose();
    }

    private async Task<byte[]> TakeAsync(int count)
    {
        while (_pending.Count < count)
        {
            if (!await ReceiveMoreAsync())
            {
                throw new IOException($"connection closed after {_pending.Count} of {count} body bytes");
            }
        }

        var taken = _pending.GetRange(0, count).ToArray();
        _pending.RemoveRange(0, count);
        return taken;
    }

    private async Task<int> FillUntilAsync(byte[] marker)
    {
        while (true)
        {
            var index = _pending.ToArray().AsSpan().IndexOf(marker);
            if (index >= 0)
            {
                return index;
            }

            if (!await ReceiveMoreAsync())
            {
                return -1;
            }
        }
    }

    private async Task<bool> ReceiveMoreAsync()
    {
        var buffer = new byte[16 * 1024];
        using var cts = new CancellationTokenSource(Guard);
        var read = _tls is not null
            ? await _tls.ReadAsync(buffer, cts.Token)
            : await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
        if (read == 0)
        {
            return false;
        }

        _pending.AddRange(buffer.AsSpan(0, read));
        return true;
    }
}
