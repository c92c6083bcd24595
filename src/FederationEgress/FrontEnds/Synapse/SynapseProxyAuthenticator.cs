using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace FederationEgress.FrontEnds.Synapse;

/// <summary>
/// Checks <c>Proxy-Authorization</c> against the configured secret exactly as Synapse's
/// <c>ProxyResource</c> does, comparing in constant time.
/// </summary>
internal sealed class SynapseProxyAuthenticator
{
    private const int StackLimit = 256;
    private readonly byte[] _expected;

    public SynapseProxyAuthenticator(IOptions<SynapseFrontEndOptions> options)
    {
        var value = options.Value;
        var secret = !value.Enabled ? string.Empty
            : !string.IsNullOrEmpty(value.SharedSecretFile)
            ? File.ReadAllText(value.SharedSecretFile).Trim()
            : value.SharedSecret ?? string.Empty;

        // With no secret (listener disabled) nothing can match: every request is refused.
        _expected = secret.Length == 0 ? [] : Encoding.UTF8.GetBytes("Bearer " + secret);
    }

    /// <summary>Decides on the values of every <c>Proxy-Authorization</c> header of a request.</summary>
    public SynapseAuthResult Check(StringValues headers)
    {
        if (headers.Count == 0)
        {
            return SynapseAuthResult.Missing;
        }

        if (headers.Count > 1)
        {
            return SynapseAuthResult.TooMany;
        }

        var header = headers[0] ?? string.Empty;
        if (_expected.Length == 0)
        {
            return SynapseAuthResult.Invalid;
        }

        var max = Encoding.UTF8.GetMaxByteCount(header.Length);
        byte[]? rented = null;
        var buffer = max <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(header, buffer);
            return CryptographicOperations.FixedTimeEquals(buffer[..length], _expected)
                ? SynapseAuthResult.Authorized
                : SynapseAuthResult.Invalid;
        }
        finally
        {
            if (rented is not null)
            {
                CryptographicOperations.ZeroMemory(rented);
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
