using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace FederationEgress.Testing.EndToEnd;

/// <summary>
/// A TLS server on loopback that answers every HTTP/1.1 request with fixed response bytes and
/// closes the connection, for responses Kestrel would normalise (e.g. a <c>Connection</c> header
/// listing other header names: Kestrel rewrites it to <c>close</c>). Records each request head.
/// </summary>
public sealed class CannedTlsServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly X509Certificate2 _certificate;
    private readonly byte[] _response;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<string> _heads = [];
    private readonly Task _loop;

    private CannedTlsServer(TcpListener listener, X509Certificate2 certificate, string response)
    {
        _listener = listener;
        _certificate = certificate;
        _response = Encoding.Latin1.GetBytes(response);
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Where it listens.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Request heads received (request line and headers), in order.</summary>
    public IReadOnlyList<string> RequestHeads
    {
        get
        {
            lock (_heads)
            {
                return [.. _heads];
            }
        }
    }

    /// <summary>Starts on <paramref name="address"/>, ephemeral port; <paramref name="response"/> is sent verbatim (Latin-1).</summary>
    public static CannedTlsServer Start(IPAddress address, X509Certificate2 certificate, string response)
    {
        var listener = new TcpListener(address, 0);
        listener.Start();
        return new CannedTlsServer(listener, certificate, response);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _loop;
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _certificate,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                }, _stopping.Token);
                var head = new StringBuilder();
                var buffer = new byte[1];
                while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
                {
                    if (await tls.ReadAsync(buffer, _stopping.Token) == 0)
                    {
                        return;
                    }

                    head.Append((char)buffer[0]);
                }

                lock (_heads)
                {
                    _heads.Add(head.ToString());
                }

                await tls.WriteAsync(_response, _stopping.Token);
                await tls.FlushAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
            {
                // Client gone or test over.
            }
        }
    }
}
