using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace FederationEgress.FrontEnds.Connect;

/// <summary>
/// Optional <c>Proxy-Authorization</c> check for the CONNECT listener: Basic user/password, or a
/// token (Bearer, or Basic with the token as password). Credentials are compared in constant time.
/// </summary>
internal sealed class ConnectProxyAuthenticator
{
    private readonly byte[]? _userPassword;
    private readonly byte[]? _token;

    public ConnectProxyAuthenticator(IOptions<ConnectFrontEndOptions> options)
    {
        var value = options.Value;
        if (!string.IsNullOrEmpty(value.Username) && !string.IsNullOrEmpty(value.Password))
        {
            _userPassword = Encoding.UTF8.GetBytes(value.Username + ":" + value.Password);
        }
        else if (!string.IsNullOrEmpty(value.Token))
        {
            _token = Encoding.UTF8.GetBytes(value.Token);
        }
    }

    /// <summary>True when the listener requires credentials.</summary>
    public bool IsRequired => _userPassword is not null || _token is not null;

    /// <summary>True when the request's Proxy-Authorization values satisfy the configuration.</summary>
    public bool IsAuthorized(IReadOnlyList<string> headers)
    {
        if (!IsRequired)
        {
            return true;
        }

        if (headers.Count != 1)
        {
            return false;
        }

        var header = headers[0];
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0)
        {
            return false;
        }

        var scheme = header[..space];
        var credentials = header[(space + 1)..].Trim();
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return _token is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(credentials), _token);
        }

        if (!scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(credentials);
        }
        catch (FormatException)
        {
            return false;
        }

        if (_userPassword is not null)
        {
            return CryptographicOperations.FixedTimeEquals(decoded, _userPassword);
        }

        var colon = Array.IndexOf(decoded, (byte)':');
        return colon >= 0 && CryptographicOperations.FixedTimeEquals(decoded.AsSpan(colon + 1), _token);
    }
}
