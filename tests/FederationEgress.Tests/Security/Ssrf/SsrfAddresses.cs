using System.Net;

namespace FederationEgress.Tests.Security.Ssrf;

/// <summary>
/// Loopback addresses for the SSRF and hostile-input tests. "Public" addresses (127.91.x.y) are
/// the only ones the proxies under test allow (<see cref="PublicRange"/>); "inward" addresses
/// (127.92.x.y) stay denied by the default deny list and host canaries. No other test uses these prefixes.
/// </summary>
internal static class SsrfAddresses
{
    /// <summary>The one range the proxies under test may dial, standing in for the public internet.</summary>
    public const string PublicRange = "127.91.0.0/16";

    private static int _public;
    private static int _inward;

    /// <summary>A fresh allowed ("public") address.</summary>
    public static IPAddress NextPublic() => Next(91, ref _public);

    /// <summary>A fresh denied ("inward") loopback address.</summary>
    public static IPAddress NextInward() => Next(92, ref _inward);

    private static IPAddress Next(byte second, ref int counter)
    {
        var n = Interlocked.Increment(ref counter);
        return new IPAddress([127, second, (byte)(n / 250), (byte)((n % 250) + 1)]);
    }
}
