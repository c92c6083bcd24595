using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace FederationEgress.Tests.Security.Tls;

/// <summary>
/// A bare TLS server on a loopback address: completes handshakes with a given certificate and
/// records the SNI each client sent ("" when none). Enough to exercise the client-side policy
/// through real SslStream handshakes.
/// </summary>
internal sealed class HandshakeServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly SslStreamCertificateContext _certificate;
    private readonly SslProtocols _protocols;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    private HandshakeServer(IPAddress address, X509Certificate2 certificate, SslProtocols protocols, X509Certificate2Collection? intermediates)
    {
        // Sends exactly the leaf plus the given intermediates.
        _certificate = SslStreamCertificateContext.Create(certificate, intermediates ?? [], offline: true);
        _protocols = protocols;
        _listener = new TcpListener(address, 0);
        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>SNI of each handshake attempt, in order ("" = no SNI).</summary>
    public ConcurrentQueue<string> ServerNames { get; } = new();

    public static HandshakeServer Start(IPAddress address, X509Certificate2 certificate, SslProtocols protocols = SslProtocols.None, X509Certificate2Collection? intermediates = null) =>
        new(address, certificate, protocols, intermediates);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using var connection = client;
        await using var ssl = new SslStream(client.GetStream());
        try
        {
            await ssl.AuthenticateAsServerAsync(
                (_, hello, _, _) =>
                {
                    ServerNames.Enqueue(hello.ServerName ?? string.Empty);
                    return ValueTask.FromResult(new SslServerAuthenticationOptions
                    {
                        EnabledSslProtocols = _protocols,
                        ServerCertificateContext = _certificate,
                    });
                },
                null,
                _stop.Token);

            // Hold the connection until the client closes it.
            _ = await ssl.ReadAsync(new byte[1], _stop.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            // The client rejected us, or the test is over.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        _stop.Dispose();
    }
}
