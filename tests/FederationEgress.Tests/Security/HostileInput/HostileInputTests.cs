using FederationEgress.Tests.Security.Ssrf;

namespace FederationEgress.Tests.Security.HostileInput;

/// <summary>
/// Hostile requests to the real app's path listener: each gets the right 4xx, and neither a DNS
/// query nor an upstream dial happens (the scripted DNS server's log and the recording dialer stay empty).
/// </summary>
public sealed class HostileInputTests : IClassFixture<SsrfFixture>
{
    private readonly SsrfFixture _fixture;

    public HostileInputTests(SsrfFixture fixture)
    {
        _fixture = fixture;
    }

    [Theory]
    [MemberData(nameof(HostileInputCorpus.Ids), MemberType = typeof(HostileInputCorpus))]
    public async Task Request_HostileInput_Is4xxWithoutDnsOrSocket(string id)
    {
        var row = HostileInputCorpus.Rows[id];
        var queriesBefore = _fixture.Dns.Queries.Count;
        _fixture.Proxy.Dialer.Clear();

        var response = await RawExchange.SendAsync(_fixture.Proxy.ForwardingEndPoint, row.Request);

        Assert.Equal(row.Status, response.StatusCode);
        if (row.Reason is not null)
        {
            var body = ErrorBody.Of(response);
            Assert.Equal("M_INVALID_PARAM", body.ErrCode);
            Assert.Equal(row.Reason, body.Reason);
            Assert.Contains(row.ErrorContains!, body.Error, StringComparison.Ordinal);
        }

        Assert.Equal(queriesBefore, _fixture.Dns.Queries.Count);
        Assert.Empty(_fixture.Proxy.Dialer.Dials);
    }
}
