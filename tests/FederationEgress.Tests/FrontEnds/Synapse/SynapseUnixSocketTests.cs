namespace FederationEgress.Tests.FrontEnds.Synapse;

/// <summary>Synapse's <c>path:</c> instance_map form: the protocol over a Unix domain socket.</summary>
public sealed class SynapseUnixSocketTests
{
    [Fact]
    public async Task UnixSocketListener_SynapseRequest_RewrittenAndAuthenticated()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fe-synapse-{Guid.NewGuid():N}.sock");
        await using var host = await SynapseTestHost.StartAsync(path);
        await using var client = await RawHttpConnection.ConnectAsync(host.SynapseEndPoint);

        await client.SendAsync(SynapseFrontEndTests.SynapseRequest(body: "over uds"));
        var response = await client.ReadResponseAsync();

        Assert.Equal(200, response!.Status);
        var seen = Assert.Single(host.Seen);
        Assert.Equal(("/remote.example/_matrix/federation/v1/send/1700000000000", "over uds", "synapse"), (seen.RawTarget, seen.Body, seen.Profile));
    }
}
