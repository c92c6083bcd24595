using System.Net.Security;
using System.Reflection;

namespace FederationEgress.Forwarding.Upstream;

/// <summary>
/// Finds our <see cref="UpstreamConnectionStream"/> under the SslStream that SocketsHttpHandler
/// passes to the certificate callback. The stream under an SslStream is only exposed through the
/// protected <see cref="AuthenticatedStream"/>.InnerStream, read here once through reflection.
/// </summary>
internal static class SslInnerStream
{
    private static readonly Func<AuthenticatedStream, Stream>? Read = CreateReader();

    /// <summary>
    /// False if this runtime hides the inner stream: then connections cannot be tied to their
    /// certificate check, and the TLS handshake timer is not armed (it could not be disarmed).
    /// </summary>
    public static bool IsAvailable => Read is not null;

    /// <summary>The upstream connection under <paramref name="sender"/>, if it is one of ours.</summary>
    public static UpstreamConnectionStream? ConnectionOf(object sender) =>
        Read is not null && sender is AuthenticatedStream ssl ? Read(ssl) as UpstreamConnectionStream : null;

    private static Func<AuthenticatedStream, Stream>? CreateReader()
    {
        var getter = typeof(AuthenticatedStream).GetProperty("InnerStream", BindingFlags.Instance | BindingFlags.NonPublic)?.GetMethod;
        return getter?.CreateDelegate<Func<AuthenticatedStream, Stream>>();
    }
}
