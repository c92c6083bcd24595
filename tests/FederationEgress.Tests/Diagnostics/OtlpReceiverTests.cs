using System.IO.Compression;
using System.Net.Http.Headers;
using FederationEgress.Testing.Otlp;
using Google.Protobuf;

namespace FederationEgress.Tests.Diagnostics;

/// <summary>
/// The in-test collector decodes what an OTLP exporter may send, including the parts the .NET
/// exporter did not exercise in the export tests (arrays, key-value lists, events, links, gzip).
/// Payloads are built by hand with <see cref="CodedOutputStream"/> following opentelemetry-proto v1.
/// </summary>
public sealed class OtlpReceiverTests
{
    private static readonly byte[] TraceId = Convert.FromHexString("0af7651916cd43dd8448eb211c80319c");
    private static readonly byte[] SpanId = Convert.FromHexString("b7ad6b7169203331");
    private static readonly byte[] ParentId = Convert.FromHexString("00f067aa0ba902b7");

    [Fact]
    public void DecodeTraces_FullSpan_AllFieldsDecoded()
    {
        var spans = OtlpProtobufDecoder.DecodeTraces(TraceRequest());

        var span = Assert.Single(spans);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", span.TraceId);
        Assert.Equal("b7ad6b7169203331", span.SpanId);
        Assert.Equal("00f067aa0ba902b7", span.ParentSpanId);
        Assert.Equal("matrix.resolve", span.Name);
        Assert.Equal(OtlpSpanKind.Client, span.Kind);
        Assert.Equal(1000UL, span.StartTimeUnixNano);
        Assert.Equal(2000UL, span.EndTimeUnixNano);
        Assert.Equal("example.org", span.Attribute("matrix.server_name"));
        Assert.Equal(8448L, span.Attribute("server.port"));
        Assert.Equal(true, span.Attribute("flag"));
        Assert.Equal(0.5, span.Attribute("ratio"));
        Assert.Equal(new object?[] { "192.0.2.1:8448", "[2001:db8::1]:8448" }, span.Attribute("matrix.endpoints"));
        var nested = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(span.Attribute("nested"));
        Assert.Equal("v", nested["k"]);
        Assert.Equal(new byte[] { 1, 2 }, span.Attribute("raw"));
        var ev = Assert.Single(span.Events);
        Assert.Equal("exception", ev.Name);
        Assert.Equal(1500UL, ev.TimeUnixNano);
        Assert.Equal("System.TimeoutException", ev.Attributes["exception.type"]);
        var link = Assert.Single(span.Links);
        Assert.Equal("00f067aa0ba902b7", link.SpanId);
        Assert.Equal(OtlpStatusCode.Error, span.StatusCode);
        Assert.Equal("dns: SERVFAIL", span.StatusMessage);
        Assert.Equal("FederationEgress", span.ScopeName);
        Assert.Equal("federation-egress", span.Resource.ServiceName);
    }

    [Fact]
    public void DecodeTraces_RootSpanWithEmptyParent_ParentIsNull()
    {
        var span = Assert.Single(OtlpProtobufDecoder.DecodeTraces(Message(1, Message(2, Message(2,
            Bytes(1, TraceId), Bytes(2, SpanId), Bytes(4, []), String(5, "root"))))));

        Assert.Null(span.ParentSpanId);
    }

    [Fact]
    public void DecodeMetrics_SumGaugeAndHistogram_PointsDecoded()
    {
        var sumPoint = Message(1, Message(7, String(1, "matrix.cache"), AnyString("hit")), Fixed64(3, 42), SFixed64(6, 7));
        var sum = Message(2, String(1, "egress.resolutions"), String(3, "{resolution}"),
            Message(7, sumPoint, Varint(2, 2), Varint(3, 1)));
        var gauge = Message(2, String(1, "queue"), Message(5, Message(1, Double(4, 2.5))));
        var histogramPoint = Message(1, Message(9, String(1, "outcome"), AnyString("success")),
            Fixed64(4, 3), Double(5, 0.09), PackedFixed64(6, [0, 3, 0]), PackedDoubles(7, [0.01, 0.05]), Double(11, 0.02), Double(12, 0.04));
        var histogram = Message(2, String(1, "egress.upstream.request.duration"), String(3, "s"), Message(9, histogramPoint, Varint(2, 2)));
        var payload = Message(1, Message(2, Message(1, String(1, "FederationEgress")), sum, gauge, histogram));

        var metrics = OtlpProtobufDecoder.DecodeMetrics(payload);

        var counter = Assert.Single(metrics, m => m.Name == "egress.resolutions");
        Assert.Equal(OtlpMetricKind.Sum, counter.Kind);
        Assert.True(counter.IsMonotonic);
        Assert.Equal(2, counter.Temporality);
        Assert.Equal("{resolution}", counter.Unit);
        var point = Assert.Single(counter.DataPoints);
        Assert.Equal(7, point.AsLong);
        Assert.Equal(7, point.Value);
        Assert.True(point.HasAttributes(("matrix.cache", "hit")));
        Assert.Equal(2.5, Assert.Single(Assert.Single(metrics, m => m.Name == "queue").DataPoints).AsDouble);
        var h = Assert.Single(Assert.Single(metrics, m => m.Kind == OtlpMetricKind.Histogram).DataPoints);
        Assert.Equal(3UL, h.Count);
        Assert.Equal(0.09, h.Sum);
        Assert.Equal([0UL, 3UL, 0UL], h.BucketCounts);
        Assert.Equal([0.01, 0.05], h.ExplicitBounds);
        Assert.Equal(0.02, h.Min);
        Assert.Equal(0.04, h.Max);
        Assert.Equal("success", h.Attribute("outcome"));
    }

    [Fact]
    public async Task Receiver_GzipHttpExport_DecodedAndAcknowledged()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(TraceRequest(), TestContext.Current.CancellationToken);
        }

        using var client = new HttpClient();
        using var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("gzip");
        using var response = await client.PostAsync(new Uri(receiver.HttpEndpoint, "/v1/traces"), content, TestContext.Current.CancellationToken);

        Assert.True(response.IsSuccessStatusCode);
        var span = await receiver.WaitForSpanAsync("matrix.resolve");
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", span.TraceId);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal(("traces", "http/protobuf", 1), (request.Signal, request.Protocol, request.ItemCount));
    }

    [Fact]
    public async Task Receiver_UnknownPath_NotFoundAndNotRecorded()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var client = new HttpClient();

        using var response = await client.PostAsync(new Uri(receiver.HttpEndpoint, "/v1/other"), new ByteArrayContent([]), TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task WaitForSpanAsync_NothingArrives_TimesOutNamingWhatWasReceived()
    {
        await using var receiver = await OtlpReceiver.StartAsync();

        var exception = await Assert.ThrowsAsync<TimeoutException>(() => receiver.WaitForSpanAsync("never", timeout: TimeSpan.FromMilliseconds(50)));

        Assert.Contains("received 0 item(s)", exception.Message);
    }

    private static byte[] TraceRequest()
    {
        var attributes = new[]
        {
            KeyValue("matrix.server_name", AnyString("example.org")),
            KeyValue("server.port", Message(2, Varint(3, 8448))),
            KeyValue("flag", Message(2, Varint(2, 1))),
            KeyValue("ratio", Message(2, Double(4, 0.5))),
            KeyValue("matrix.endpoints", Message(2, Message(5, Message(1, String(1, "192.0.2.1:8448")), Message(1, String(1, "[2001:db8::1]:8448"))))),
            KeyValue("nested", Message(2, Message(6, Message(1, String(1, "k"), AnyString("v"))))),
            KeyValue("raw", Message(2, Bytes(7, [1, 2]))),
        }.Select(kv => Message(9, kv));
        var span = Message(2, [
            Bytes(1, TraceId), Bytes(2, SpanId), Bytes(4, ParentId), String(5, "matrix.resolve"), Varint(6, 3),
            Fixed64(7, 1000), Fixed64(8, 2000), .. attributes,
            Message(11, Fixed64(1, 1500), String(2, "exception"), Message(3, KeyValue("exception.type", AnyString("System.TimeoutException")))),
            Message(13, Bytes(1, TraceId), Bytes(2, ParentId)),
            Message(15, String(2, "dns: SERVFAIL"), Varint(3, 2)),
        ]);
        var resource = Message(1, Message(1, KeyValue("service.name", AnyString("federation-egress"))));
        return Message(1, resource, Message(2, Message(1, String(1, "FederationEgress")), span));
    }

    // Minimal protobuf writers: each returns one encoded field.
    private static byte[] Field(int number, WireFormat.WireType type, Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            output.WriteTag(number, type);
            write(output);
        }

        return buffer.ToArray();
    }

    private static byte[] Message(int number, params IEnumerable<byte[]> fields) => Bytes(number, fields.SelectMany(f => f).ToArray());

    private static byte[] Bytes(int number, byte[] value) => Field(number, WireFormat.WireType.LengthDelimited, o => o.WriteBytes(ByteString.CopyFrom(value)));

    private static byte[] String(int number, string value) => Field(number, WireFormat.WireType.LengthDelimited, o => o.WriteString(value));

    private static byte[] Varint(int number, ulong value) => Field(number, WireFormat.WireType.Varint, o => o.WriteUInt64(value));

    private static byte[] Fixed64(int number, ulong value) => Field(number, WireFormat.WireType.Fixed64, o => o.WriteFixed64(value));

    private static byte[] SFixed64(int number, long value) => Field(number, WireFormat.WireType.Fixed64, o => o.WriteSFixed64(value));

    private static byte[] Double(int number, double value) => Field(number, WireFormat.WireType.Fixed64, o => o.WriteDouble(value));

    private static byte[] PackedFixed64(int number, ulong[] values) =>
        Bytes(number, values.SelectMany(BitConverter.GetBytes).ToArray());

    private static byte[] PackedDoubles(int number, double[] values) =>
        Bytes(number, values.SelectMany(BitConverter.GetBytes).ToArray());

    private static byte[] AnyString(string value) => Message(2, String(1, value));

    private static byte[] KeyValue(string key, byte[] encodedValueField) => [.. String(1, key), .. encodedValueField];
}
