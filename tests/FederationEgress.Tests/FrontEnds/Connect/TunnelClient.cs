using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FederationEgress.Tests.FrontEnds.Connect;

/// <summary>A raw TCP client for CONNECT tests: exact reads, half-close, read to EOF.</summary>
internal sealed class TunnelClient : IAsyncDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);
    private readonly Socket _socket;

    private TunnelClient(Socket socket) => _socket = socket;

    public static async Task<TunnelClient> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        return new TunnelClient(socket);
    }

    public async Task SendAsync(string text) => await _socket.SendAsync(Encoding.Latin1.GetBytes(text), SocketFlags.None);

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Reads exactly <paramref name="count"/> bytes (fails if the connection ends first).</summary>
    public async Task<string> ReadExactlyAsync(int count)
    {
        var buffer = new byte[count];
        var read = 0;
        using var cts = new CancellationTokenSource(Guard);
        while (read < count)
        {
            var n = await _socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cts.Token);
            if (n == 0)
            {
                throw new IOException($"connection closed after {read} of {count} bytes: '{Encoding.Latin1.GetString(buffer, 0, read)}'");
            }

            read += n;
        }

        return Encoding.Latin1.GetString(buffer);
    }

    /// <summary>Reads until the server closes; a reset also ends the read.</summary>
    public async Task<string> ReadToEndAsync()
    {
        var all = new MemoryStream();
        var buffer = new byte[8192];
        using var cts = new CancellationTokenSource(Guard);
        try
        {
            while (true)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0)
                {
                    break;
                }

                all.Write(buffer, 0, n);
            }
        }
        catch (SocketException)
        {
        }

        return Encoding.Latin1.GetString(all.ToArray());
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
