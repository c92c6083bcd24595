using System.Text;
using System.Text.Json;

namespace FederationEgress.Tests.FrontEnds.Synapse;

/// <summary>
/// Differential check of the adapter's framing against Kestrel's: random keep-alive sequences of
/// valid requests (Content-Length or chunked with random chunk sizes, extensions and trailers, odd
/// path bytes), pipelined in random fragments; every request must arrive whole, in order.
/// </summary>
public sealed class SynapseFramingDifferentialTests : IAsyncLifetime
{
    private const string PathAlphabet = "abcXYZ019-._~!$&'()*+,;=:@%2F%20";
    private SynapseTestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await SynapseTestHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<int> Seeds => new(Enumerable.Range(1, 24));

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task RandomValidSequence_PipelinedInRandomFragments_EveryRequestWholeAndInOrder(int seed)
    {
        var random = new Random(seed);
        var expected = new List<(string Target, string Body)>();
        var wire = new StringBuilder();
        var count = random.Next(1, 6);
        for (var i = 0; i < count; i++)
        {
            var path = "/_matrix/federation/v1/send/" + string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => PathAlphabet[random.Next(PathAlphabet.Length)]));
            path = path.Replace("%", "%25", StringComparison.Ordinal).Replace("%252F", "%2F", StringComparison.Ordinal).Replace("%2520", "%20", StringComparison.Ordinal);
            var body = new string(Enumerable.Range(0, random.Next(0, 3000)).Select(_ => (char)random.Next(0x20, 0x7F)).ToArray());
            var authority = random.Next(3) switch { 0 => "remote.example", 1 => "[2001:db8::1]:8448", _ => $"s{i}.example:{random.Next(1, 65536)}" };
            expected.Add(($"/{authority}{path}", body));

            wire.Append(random.Next(2) == 0 ? "PUT" : "POST").Append(" matrix-federation://").Append(authority).Append(path).Append(" HTTP/1.1\r\n")
                .Append("Host: ").Append(authority).Append("\r\n")
                .Append("Proxy-Authorization: Bearer ").Append(SynapseTestHost.Secret).Append("\r\n");
            if (random.Next(2) == 0)
            {
                wire.Append("Content-Length: ").Append(body.Length).Append("\r\n\r\n").Append(body);
            }
            else
            {
                wire.Append("Transfer-Encoding: chunked\r\n\r\n");
                var offset = 0;
                while (offset < body.Length)
                {
                    var size = Math.Min(body.Length - offset, random.Next(1, 700));
                    wire.Append(size.ToString(random.Next(2) == 0 ? "x" : "X", System.Globalization.CultureInfo.InvariantCulture));
                    if (random.Next(3) == 0)
                    {
                        wire.Append(";ext").Append(random.Next(100)).Append("=\"v\\\"\"");
                    }

                    wire.Append("\r\n").Append(body, offset, size).Append("\r\n");
                    offset += size;
                }

                wire.Append("0\r\n").Append(random.Next(2) == 0 ? "X-Trailer: t\r\n" : string.Empty).Append("\r\n");
            }
        }

        var bytes = Encoding.ASCII.GetBytes(wire.ToString());
        await using var client = await RawHttpConnection.ConnectAsync(_host.SynapseEndPoint);
        var position = 0;
        while (position < bytes.Length)
        {
            var size = Math.Min(bytes.Length - position, random.Next(1, 2000));
            await client.SendAsync(bytes[position..(position + size)]);
            position += size;
        }

        foreach (var (target, body) in expected)
        {
            var response = await client.ReadResponseAsync();
            Assert.True(response is { Status: 200 }, $"seed {seed}: status {response?.Status}");
            var echo = JsonSerializer.Deserialize<EchoedRequest>(response!.Body)!;
            Assert.Equal(target, echo.RawTarget);
            Assert.Equal(body, echo.Body);
        }

        Assert.Equal(expected.Count, _host.Seen.Count);
    }
}
