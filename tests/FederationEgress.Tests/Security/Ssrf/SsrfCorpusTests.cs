using System.Globalization;
using System.Net;
using FederationEgress.Testing.Fakes;
using FederationEgress.Testing.Hosting;

namespace FederationEgress.Tests.Security.Ssrf;

/// <summary>
/// The SSRF corpus through the real app: real DNS client against a scripted server, real
/// discovery, the default deny list. Each row must be refused with the expected status and reason,
/// no dial may be attempted (the recording dialer sees none), and the canary on the forbidden
/// address (where it is a bindable loopback address) must see no connection.
/// </summary>
public sealed class SsrfCorpusTests : IClassFixture<SsrfFixture>
{
    private readonly SsrfFixture _fixture;

    public SsrfCorpusTests(SsrfFixture fixture)
    {
        _fixture = fixture;
    }

    [Theory]
    [MemberData(nameof(SsrfCorpus.Ids), MemberType = typeof(SsrfCorpus))]
    public async Task Forward_ForbiddenDestination_IsRefusedWithoutAnySocket(string id)
    {
        var row = SsrfCorpus.Rows[id];
        using var canary = row.Canary is null ? null : new CanaryListener(row.Canary);
        var port = canary?.Port ?? 0;
        row.Dns?.Invoke(_fixture.Dns, port);
        var serverName = row.ServerName.Replace("{port}", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        _fixture.Proxy.Dialer.Clear();

        var response = await RawHttp.SendAsync(_fixture.Proxy.ForwardingEndPoint, "GET", $"/{serverName}/_matrix/federation/v1/version", TestContext.Current.CancellationToken);

        Assert.Equal(row.Status, response.StatusCode);
        var body = ErrorBody.Of(response);
        Assert.Equal(row.Reason, body.Reason);
        Assert.Equal(row.Status == 403 ? "M_FORBIDDEN" : "M_INVALID_PARAM", body.ErrCode);
        Assert.Contains(row.ErrorContains, body.Error, StringComparison.Ordinal);
        Assert.Empty(_fixture.Proxy.Dialer.Dials);
        Assert.Equal(0, canary?.ConnectionCount ?? 0);
    }

    [Fact]
    public async Task Forward_DeniedLiteral_IsLoggedWithTheAddressAndReason()
    {
        var address = SsrfAddresses.NextInward();
        var response = await RawHttp.SendAsync(_fixture.Proxy.ForwardingEndPoint, "GET", $"/{address}:8448/_matrix/federation/v1/version", TestContext.Current.CancellationToken);

        Assert.Equal(403, response.StatusCode);
        Assert.Contains(_fixture.Logs.Entries, e => e.EventId == 4010 && e.Message.Contains($"{address}:8448", StringComparison.Ordinal) && e.Message.Contains("loopback", StringComparison.Ordinal));
        Assert.False(_fixture.Proxy.Dialer.Dialled(address));
    }

    [Fact]
    public async Task Forward_RefusedRows_MakeNoDnsQueryForLiterals()
    {
        var before = _fixture.Dns.Queries.Count;

        var response = await RawHttp.SendAsync(_fixture.Proxy.ForwardingEndPoint, "GET", "/169.254.169.254/_matrix/key/v2/server", TestContext.Current.CancellationToken);

        Assert.Equal(403, response.StatusCode);
        Assert.Equal(before, _fixture.Dns.Queries.Count);
        Assert.False(_fixture.Proxy.Dialer.Dialled(IPAddress.Parse("169.254.169.254")));
    }
}
