using FederationEgress.Dns;
using FederationEgress.Dns.Caching;
using FederationEgress.Dns.Client;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.Time;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Tests.Dns.Caching;

/// <summary>A cached resolver over a real stub client and a <see cref="ScriptedDnsServer"/>, all on one fake clock.</summary>
internal sealed class ResolverHarness : IAsyncDisposable
{
    public static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(2);

    public ResolverHarness(Action<DnsOptions>? configure = null)
    {
        Server = ScriptedDnsServer.Start();
        var options = new DnsOptions();
        configure?.Invoke(options);
        Options = options;
        var settings = new DnsClientSettings([Server.EndPoint], QueryTimeout, 1, (ushort)options.UdpPayloadSize, "test");
        Client = new DnsStubClient(settings, Time, Logger);
        Resolver = new CachingDnsResolver(Client, options, Time, Logger);
    }

    public ManualTimeProvider Time { get; } = new();

    public RecordingLogger Logger { get; } = new();

    public ScriptedDnsServer Server { get; }

    public DnsOptions Options { get; }

    public DnsStubClient Client { get; }

    public CachingDnsResolver Resolver { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    public void Advance(int seconds) => Time.Advance(TimeSpan.FromSeconds(seconds));

    /// <summary>Advances the clock past the client's timeout once the server has seen <paramref name="count"/> queries for <paramref name="name"/>.</summary>
    public async Task TimeOutQueryAsync(string name, int count, CancellationToken cancellationToken)
    {
        await Server.WaitForQueriesAsync(name, count, cancellationToken: cancellationToken);
        Time.Advance(QueryTimeout);
    }

    public IEnumerable<LogLevel> Levels(int eventId) => Logger.Entries.Where(e => e.EventId.Id == eventId).Select(e => e.Level);

    public async ValueTask DisposeAsync()
    {
        Resolver.Dispose();
        await Server.DisposeAsync();
    }
}
