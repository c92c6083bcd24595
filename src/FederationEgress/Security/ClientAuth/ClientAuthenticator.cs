using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using FederationEgress.Errors;
using FederationEgress.Security.IpRanges;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace FederationEgress.Security.ClientAuth;

/// <inheritdoc cref="IClientAuthenticator"/>
internal sealed partial class ClientAuthenticator : IClientAuthenticator
{
    /// <summary>How often a token file is re-read, so a rotated Kubernetes Secret takes effect without a restart.</summary>
    internal static readonly TimeSpan TokenFileRecheckInterval = TimeSpan.FromSeconds(30);

    private const string BearerScheme = "Bearer";
    private const string Step = "client-auth";

    private readonly IpRangeSet _allowedClients;
    private readonly string? _tokenFile;
    private readonly TimeProvider _time;
    private readonly ILogger<ClientAuthenticator> _logger;
    private readonly bool _schemeRequired;

    // SHA-256 of the expected token: comparing fixed-size hashes hides the token's length.
    private volatile byte[]? _tokenHash;
    private long _nextFileCheck;

    public ClientAuthenticator(IOptions<ClientAuthOptions> options, TimeProvider time, ILogger<ClientAuthenticator> logger)
    {
        var value = options.Value;
        _time = time;
        _logger = logger;
        HeaderName = value.HeaderName;
        _schemeRequired = HeaderName.Equals(ClientAuthOptions.DefaultHeaderName, StringComparison.OrdinalIgnoreCase);
        _allowedClients = new IpRangeSet(value.AllowedClientRanges.Select(IpNetwork.Parse));
        if (!string.IsNullOrEmpty(value.BearerTokenFile))
        {
            _tokenFile = value.BearerTokenFile;
            _tokenHash = Hash(ClientAuthOptionsValidator.ReadTokenFile(_tokenFile));
            _nextFileCheck = (_time.GetUtcNow() + TokenFileRecheckInterval).UtcTicks;
        }
        else if (!string.IsNullOrEmpty(value.BearerToken))
        {
            _tokenHash = Hash(value.BearerToken);
        }
    }

    public string HeaderName { get; }

    public bool RequiresToken => _tokenHash is not null;

    public bool TryAuthenticate(IPAddress? clientAddress, StringValues credentials, [NotNullWhen(false)] out EgressError? error)
    {
        if (!_allowedClients.IsEmpty &&
            (clientAddress is null || !_allowedClients.Contains(Ipv6Embeddings.Normalise(clientAddress))))
        {
            Log.ClientForbidden(_logger, clientAddress);
            return Fail(out error, EgressErrorKind.ClientForbidden, "client address is not allowed to use this proxy");
        }

        var expected = CurrentTokenHash();
        if (expected is null)
        {
            error = null;
            return true;
        }

        if (credentials.Count != 1 || !TryGetToken(credentials[0], out var token))
        {
            Log.ClientUnauthorized(_logger, clientAddress, credentials.Count == 0 ? "missing" : "malformed");
            return Fail(out error, EgressErrorKind.ClientUnauthorized, $"missing or malformed {HeaderName} header (expected \"Bearer <token>\")");
        }

        Span<byte> presented = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), presented);
        if (!CryptographicOperations.FixedTimeEquals(presented, expected))
        {
            Log.ClientUnauthorized(_logger, clientAddress, "wrong token");
            return Fail(out error, EgressErrorKind.ClientUnauthorized, $"invalid token in {HeaderName}");
        }

        error = null;
        return true;
    }

    private bool TryGetToken(string? value, out string token)
    {
        token = string.Empty;
        var span = value.AsSpan().Trim();
        if (span.Length > BearerScheme.Length && span.StartsWith(BearerScheme, StringComparison.OrdinalIgnoreCase) && span[BearerScheme.Length] == ' ')
        {
            span = span[(BearerScheme.Length + 1)..].TrimStart(' ');
        }
        else if (_schemeRequired)
        {
            return false;
        }

        token = span.ToString();
        return token.Length > 0;
    }

    private byte[]? CurrentTokenHash()
    {
        if (_tokenFile is null)
        {
            return _tokenHash;
        }

        var now = _time.GetUtcNow().UtcTicks;
        var next = Interlocked.Read(ref _nextFileCheck);
        if (now >= next && Interlocked.CompareExchange(ref _nextFileCheck, now + TokenFileRecheckInterval.Ticks, next) == next)
        {
            try
            {
                _tokenHash = Hash(ClientAuthOptionsValidator.ReadTokenFile(_tokenFile));
            }
            catch (InvalidOperationException e)
            {
                // Keep the last good token: a Secret being swapped must not lock everyone out.
                Log.TokenFileUnreadable(_logger, e.Message);
            }
        }

        return _tokenHash;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static bool Fail(out EgressError? error, EgressErrorKind kind, string message)
    {
        SecurityMetrics.RecordDenial(SecurityMetrics.Client);
        error = new EgressError(kind, Step, message);
        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3030, EventName = "ClientForbidden", Level = LogLevel.Warning,
            Message = "Client {ClientAddress} refused: not in ClientAuth:AllowedClientRanges")]
        public static partial void ClientForbidden(ILogger logger, IPAddress? clientAddress);

        [LoggerMessage(EventId = 3031, EventName = "ClientUnauthorized", Level = LogLevel.Warning,
            Message = "Client {ClientAddress} refused: {Problem} proxy credentials")]
        public static partial void ClientUnauthorized(ILogger logger, IPAddress? clientAddress, string problem);

        [LoggerMessage(EventId = 3032, EventName = "TokenFileUnreadable", Level = LogLevel.Error,
            Message = "ClientAuth:BearerTokenFile could not be re-read, keeping the previous token: {Problem}")]
        public static partial void TokenFileUnreadable(ILogger logger, string problem);
    }
}
