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

    [Fact]
    public async Task StaleSocketFileFromACrash_ListenerStillStarts()
    {
        // A process killed while listening leaves its socket file behind (.NET unlinks on a clean close,
        // so the stale file is made by a child process that exits without closing).
        var path = Path.Combine(Path.GetTempPath(), $"fe-synapse-{Guid.NewGuid():N}.sock");
        using (var python = System.Diagnostics.Process.Start("python3", ["-c", $"import socket; socket.socket(socket.AF_UNIX).bind('{path}')"]))
        {
            await python.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        Assert.True(File.Exists(path));
        await using var host = await SynapseTestHost.StartAsync(path);
        await using var client = await RawHttpConnection.ConnectAsync(host.SynapseEndPoint);
        await client.SendAsync(SynapseFrontEndTests.SynapseRequest(body: "after crash"));

        Assert.Equal(200, (await client.ReadResponseAsync())!.Status);
    }

    [Fact]
    public async Task SocketInUseByAnotherListener_StartFailsNamingTheKey()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fe-synapse-{Guid.NewGuid():N}.sock");
        await using var first = await SynapseTestHost.StartAsync(path);

        var error = await Record.ExceptionAsync(() => SynapseTestHost.StartAsync(path));

        Assert.NotNull(error);
        Assert.Contains($"Synapse:UnixSocketPath '{path}' is in use by another process", error.ToString(), StringComparison.Ordinal);
    }
}
