using System.Collections.Concurrent;
using System.Net;
using FederationEgress.Discovery;
using FederationEgress.Errors;
using FederationEgress.ServerNames;

namespace FederationEgress.Testing.Fakes;

/// <summary>
/// An <see cref="IServerResolver"/> answering from a table set up by the test: server name →
/// endpoints, with Host and TLS name derived per spec steps 1 and 2 unless given explicitly.
/// Unknown names fail like a discovery failure. Counts lookups so tests can prove none happened.
/// </summary>
public sealed class StaticServerResolver : IServerResolver
{
    private readonly ConcurrentDictionary<string, Func<Resolution>> _table = new(StringComparer.Ordinal);
    private int _lookups;

    /// <summary>How many times <see cref="ResolveAsync"/> was called.</summary>
    public int Lookups => Volatile.Read(ref _lookups);

    /// <summary>
    /// Maps <paramref name="serverName"/> to <paramref name="endpoints"/> (dialled in order). Host =
    /// the server name as given; TLS name = its hostname, or none for IP literals.
    /// </summary>
    public StaticServerResolver Map(string serverName, params IPEndPoint[] endpoints)
    {
        var name = ServerName.Parse(serverName);
        return Map(serverName, name.Value, name.IsIpLiteral ? null : name.DnsHost, endpoints);
    }

    /// <summary>Maps <paramref name="serverName"/> with an explicit Host header and TLS name (delegation-like results).</summary>
    public StaticServerResolver Map(string serverName, string hostHeader, string? tlsName, params IPEndPoint[] endpoints)
    {
        var name = ServerName.Parse(serverName);
        var step = name.IsIpLiteral ? DiscoveryStep.IpLiteral : DiscoveryStep.ExplicitPort;
        var resolved = endpoints.Select(e => new ResolvedEndpoint(e, name.Host)).ToArray();
        _table[name.Value] = () => new Resolution(name, step, resolved, hostHeader, tlsName);
        return this;
    }

    /// <summary>Makes <paramref name="serverName"/> fail discovery with <paramref name="error"/>.</summary>
    public StaticServerResolver Fail(string serverName, EgressError error)
    {
        _table[ServerName.Parse(serverName).Value] = () => throw new EgressException(error);
        return this;
    }

    public ValueTask<Resolution> ResolveAsync(ServerName serverName, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lookups);
        if (_table.TryGetValue(serverName.Value, out var answer))
        {
            return ValueTask.FromResult(answer());
        }

        throw new EgressException(EgressErrorKind.NoAddresses, "discovery", $"{serverName} is not in the test resolver's table");
    }
}
