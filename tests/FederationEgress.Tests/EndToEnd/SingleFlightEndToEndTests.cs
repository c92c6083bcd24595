using System.Globalization;
using System.Net;
using FederationEgress.Dns.Protocol;
using FederationEgress.Hosting;
using FederationEgress.Testing.Dns;
using FederationEgress.Testing.EndToEnd;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.Tests.EndToEnd;

/// <summary>
/// A burst of concurrent requests for one unseen name through the real proxy: one well-known
/// request at the remote and at most one DNS question per (name, type) at the DNS server.
/// Addresses 127.201.6.x belong to this class.
/// </summary>
public sealed class SingleFlightEndToEndTests
{
    private const int Burst = 1000;
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ThousandConcurrentRequests_UnseenName_OneWellKnownFetchAndOneQueryPerQuestion()
    {
        await using var bed = FederationTestbed.Create();
        const string name = "single-flight.e2e6.test";
        const string delegatedHost = "sf-delegated.e2e6.test";
        var target = await bed.StartServerAsync("127.201.6.2", 0, delegatedHost);
        var wellKnown = await bed.StartServerAsync("127.201.6.1", 443, name);
        wellKnown.Handler = RemoteHandlers.WellKnown(string.Create(CultureInfo.InvariantCulture, $"{delegatedHost}:{target.Port}"));
        bed.Dns.AddA(name, "127.201.6.1");
        bed.Dns.AddA(delegatedHost, "127.201.6.2");

        // The first resolution stalls on the server name's A question until every request is inside
        // the proxy, so all of them find the discovery in flight.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bed.Dns.SetBehavior(name, DnsBehavior.Answer.After(release.Task), DnsRecordType.A);

        // A long DNS timeout: a retry while the gate is closed would be a second query by design.
        await bed.StartProxyAsync(settings: ["Dns:TimeoutMilliseconds=30000", "Dns:Attempts=1"]);
        var inFlight = bed.Services.GetRequiredService<ConcurrencyLimit>();

        var requests = Enumerable.Range(0, Burst)
            .Select(i => Task.Run(async () =>
            {
                using var response = await bed.SendAsync(HttpMethod.Get, $"/{name}/_matrix/federation/v1/event/%24e{i}");
                return response.StatusCode;
            }))
            .ToList();

        using (var guard = new CancellationTokenSource(Guard))
        {
            while (inFlight.InFlight < Burst)
            {
                await Task.Delay(10, guard.Token);
            }
        }

        release.SetResult();
        var statuses = await Task.WhenAll(requests).WaitAsync(Guard, TestContext.Current.CancellationToken);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(Burst, target.Requests.Count);
        Assert.Equal(Burst, target.Requests.Select(r => r.RawTarget).Distinct().Count());
        Assert.Single(wellKnown.Requests);
        var repeated = bed.Dns.Queries
            .GroupBy(q => (Name: q.Name.ToLowerInvariant(), q.Type))
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key.Name}/{g.Key.Type} x{g.Count()}")
            .ToList();
        Assert.Empty(repeated);
        Assert.Equal(1, bed.Dns.QueryCount(name, DnsRecordType.A));
        Assert.Equal(1, bed.Dns.QueryCount(delegatedHost, DnsRecordType.A));
    }
}
