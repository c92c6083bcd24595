using FederationEgress.Discovery;
using FederationEgress.ServerNames;
using FederationEgress.Testing.Fakes;
using static FederationEgress.Tests.Discovery.DiscoveryHarness;

namespace FederationEgress.Tests.Discovery;

/// <summary>CA-13 and issue 3 point 4: one discovery per name, one fetch per URL, one DNS question per (name, type).</summary>
public sealed class ConcurrencyTests
{
    [Theory] // CA-13 (50) and the 1,000-request burst
    [InlineData(50)]
    [InlineData(1000)]
    public async Task ResolveAsync_BurstForAnUnseenName_MakesOneWellKnownRequestAndOneDnsQueryPerQuestion(int callers)
    {
        await using var h = new DiscoveryHarness();
        h.Dns.AddSrv("_matrix-fed._tcp.target-server", Srv("srvtarget", 8443));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = await h.ServeAsync("testserv", async context =>
        {
            await gate.Task;
            await Reply(200, "{\"m.server\":\"target-server\"}")(context);
        });
        var name = ServerName.Parse("testserv");

        var tasks = Enumerable.Range(0, callers)
            .Select(_ => Task.Run(() => h.Resolver.ResolveAsync(name, TestContext.Current.CancellationToken).AsTask()))
            .ToArray();
        await WaitUntilAsync(() => server.Requests.Count == 1, "the well-known request");
        gate.SetResult();
        var results = await Task.WhenAll(tasks);

        Assert.Single(server.Requests);
        Assert.Equal(1, server.ConnectionCount);
        Assert.All(results, r => Assert.Same(results[0], r));
        Assert.Equal(["5.6.7.8:8443"], Endpoints(results[0]));
        Assert.All(h.Dns.Queries.GroupBy(q => q), g => Assert.Single(g));
        Assert.Equal(2, h.Dns.Queries.Count); // SRV _matrix-fed._tcp.target-server, ADDR srvtarget
    }

    [Fact]
    public async Task ResolveAsync_BurstWhileDnsIsSlow_AsksEachQuestionOnce()
    {
        await using var h = new DiscoveryHarness();
        h.Refuse("testserv");
        h.Dns.Hold();
        var name = ServerName.Parse("testserv");

        var tasks = Enumerable.Range(0, 200).Select(_ => h.Resolver.ResolveAsync(name, TestContext.Current.CancellationToken).AsTask()).ToArray();
        await WaitUntilAsync(() => h.Dns.Queries.Count >= 1, "the first DNS question");
        h.Dns.Release();
        await Task.WhenAll(tasks);

        Assert.Equal(
            [new DnsQuery(ScriptedDnsResolver.SrvType, "_matrix-fed._tcp.testserv"), new DnsQuery(ScriptedDnsResolver.SrvType, "_matrix._tcp.testserv"), new DnsQuery(ScriptedDnsResolver.AddressType, "testserv")],
            h.Dns.Queries);
    }

    [Fact]
    public async Task ResolveAsync_CallerCancels_OtherCallersStillGetTheResult()
    {
        await using var h = new DiscoveryHarness();
        h.Refuse("testserv");
        h.Dns.Hold();
        var name = ServerName.Parse("testserv");
        using var cts = new CancellationTokenSource();

        var cancelled = h.Resolver.ResolveAsync(name, cts.Token).AsTask();
        var other = h.Resolver.ResolveAsync(name, TestContext.Current.CancellationToken).AsTask();
        await WaitUntilAsync(() => h.Dns.Queries.Count >= 1, "the first DNS question");
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        h.Dns.Release();

        var resolution = await other;
        Assert.Equal(DiscoveryStep.DefaultPort, resolution.Step);
    }

    [Fact]
    public async Task ResolveAsync_CacheHit_CompletesSynchronouslyWithTheSameInstance()
    {
        await using var h = new DiscoveryHarness();
        h.Refuse("testserv");
        var name = ServerName.Parse("testserv");
        var first = await h.Resolver.ResolveAsync(name, TestContext.Current.CancellationToken);

        var hit = h.Resolver.ResolveAsync(name, TestContext.Current.CancellationToken);

        Assert.True(hit.IsCompletedSuccessfully);
        Assert.Same(first, await hit);
    }

    [Fact]
    public async Task ResolveAsync_DifferentNames_AreResolvedIndependently()
    {
        await using var h = new DiscoveryHarness();
        h.Refuse("testserv");
        h.Refuse("target.com");

        var results = await Task.WhenAll(h.ResolveAsync("testserv").AsTask(), h.ResolveAsync("target.com").AsTask(), h.ResolveAsync("testserv:9000").AsTask());

        Assert.Equal(["1.2.3.4:8448"], Endpoints(results[0]));
        Assert.Equal("target.com", results[1].HostHeader);
        Assert.Equal(["1.2.3.4:9000"], Endpoints(results[2]));
        Assert.Equal(3, h.Resolver.CachedCount);
    }

    [Fact]
    public async Task ResolveAsync_FailedResolution_IsNotCachedAndRetriedNextTime()
    {
        await using var h = new DiscoveryHarness();
        h.Dns.SetAddressStatus("flaky.example", FederationEgress.Dns.DnsResultStatus.ServerFailure);
        await Assert.ThrowsAsync<FederationEgress.Errors.EgressException>(async () => await h.ResolveAsync("flaky.example:8448"));

        h.Dns.AddAddresses("flaky.example", "10.1.1.1");
        var resolution = await h.ResolveAsync("flaky.example:8448");

        Assert.Equal(["10.1.1.1:8448"], Endpoints(resolution));
    }
}
