using System.Net.Sockets;

namespace FederationEgress.FrontEnds.Synapse;

/// <summary>
/// A proxy killed while listening leaves its Unix socket file behind and Kestrel then fails with
/// "address already in use". Before listening, such a file is removed when nothing accepts on it.
/// </summary>
internal static class StaleUnixSocket
{
    /// <summary>
    /// Deletes <paramref name="path"/> if it is an empty file (sockets have no size) that refuses
    /// connections; throws when another process is listening on it.
    /// </summary>
    public static void RemoveIfStale(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists || file.Length != 0)
        {
            return;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            file.Delete();
            return;
        }

        throw new InvalidOperationException($"Synapse:UnixSocketPath '{path}' is in use by another process");
    }
}
