using System.Buffers.Binary;
using Google.Protobuf;

namespace FederationEgress.Testing.Otlp;

/// <summary>
/// Decodes OTLP <c>ExportTraceServiceRequest</c> and <c>ExportMetricsServiceRequest</c> protobuf
/// payloads by hand with <see cref="CodedInputStream"/> (no generated classes: only the fields tests
/// need, field numbers from opentelemetry-proto v1). Unknown fields are skipped.
/// </summary>
public static class OtlpProtobufDecoder
{
    /// <summary>Decodes the spans of an <c>ExportTraceServiceRequest</c>.</summary>
    public static IReadOnlyList<OtlpSpan> DecodeTraces(byte[] payload)
    {
        var spans = new List<OtlpSpan>();
        foreach (var resourceSpans in Fields(payload).Where(f => f.Number == 1))
        {
            var resource = OtlpResource.Empty;
            var scopes = new List<byte[]>();
            foreach (var field in Fields(resourceSpans.Bytes!))
            {
                switch (field.Number)
                {
                    case 1: resource = DecodeResource(field.Bytes!); break;
                    case 2: scopes.Add(field.Bytes!); break;
                }
            }

            foreach (var scopeSpans in scopes)
            {
                var scopeName = string.Empty;
                var spanMessages = new List<byte[]>();
                foreach (var field in Fields(scopeSpans))
                {
                    switch (field.Number)
                    {
                        case 1: scopeName = DecodeScopeName(field.Bytes!); break;
                        case 2: spanMessages.Add(field.Bytes!); break;
                    }
                }

                spans.AddRange(spanMessages.Select(s => DecodeSpan(s, scopeName, resource)));
            }
        }

        return spans;
    }

    /// <summary>Decodes the metrics of an <c>ExportMetricsServiceRequest</c>.</summary>
    public static IReadOnlyList<OtlpMetric> DecodeMetrics(byte[] payload)
    {
        var metrics = new List<OtlpMetric>();
        foreach (var resourceMetrics in Fields(payload).Where(f => f.Number == 1))
        {
            var resource = OtlpResource.Empty;
            var scopes = new List<byte[]>();
            foreach (var field in Fields(resourceMetrics.Bytes!))
            {
                switch (field.Number)
                {
                    case 1: resource = DecodeResource(field.Bytes!); break;
                    case 2: scopes.Add(field.Bytes!); break;
                }
            }

            foreach (var scopeMetrics in scopes)
            {
                var scopeName = string.Empty;
                var metricMessages = new List<byte[]>();
                foreach (var field in Fields(scopeMetrics))
                {
                    switch (field.Number)
                    {
                        case 1: scopeName = DecodeScopeName(field.Bytes!); break;
                        case 2: metricMessages.Add(field.Bytes!); break;
                    }
                }

                metrics.AddRange(metricMessages.Select(m => DecodeMetric(m, scopeName, resource)));
            }
        }

        return metrics;
    }

    private static OtlpSpan DecodeSpan(byte[] message, string scopeName, OtlpResource resource)
    {
        string traceId = string.Empty, spanId = string.Empty, name = string.Empty;
        string? parentSpanId = null, statusMessage = null;
        var kind = OtlpSpanKind.Unspecified;
        var status = OtlpStatusCode.Unset;
        ulong start = 0, end = 0;
        var attributes = new Dictionary<string, object?>();
        var events = new List<OtlpSpanEvent>();
        var links = new List<OtlpSpanLink>();
        foreach (var field in Fields(message))
        {
            switch (field.Number)
            {
                case 1: traceId = Hex(field.Bytes!); break;
                case 2: spanId = Hex(field.Bytes!); break;
                case 4: parentSpanId = field.Bytes!.Length == 0 ? null : Hex(field.Bytes!); break;
                case 5: name = Utf8(field.Bytes!); break;
                case 6: kind = (OtlpSpanKind)(int)field.Scalar; break;
                case 7: start = field.Scalar; break;
                case 8: end = field.Scalar; break;
                case 9: AddKeyValue(attributes, field.Bytes!); break;
                case 11: events.Add(DecodeEvent(field.Bytes!)); break;
                case 13: links.Add(DecodeLink(field.Bytes!)); break;
                case 15:
                    foreach (var s in Fields(field.Bytes!))
                    {
                        if (s.Number == 2)
                        {
                            statusMessage = Utf8(s.Bytes!);
                        }
                        else if (s.Number == 3)
                        {
                            status = (OtlpStatusCode)(int)s.Scalar;
                        }
                    }

                    break;
            }
        }

        return new OtlpSpan(traceId, spanId, parentSpanId, name, kind, start, end, attributes, events, links, status, statusMessage, scopeName, resource);
    }

    private static OtlpSpanEvent DecodeEvent(byte[] message)
    {
        ulong time = 0;
        var name = string.Empty;
        var attributes = new Dictionary<string, object?>();
        foreach (var field in Fields(message))
        {
            switch (field.Number)
            {
                case 1: time = field.Scalar; break;
                case 2: name = Utf8(field.Bytes!); break;
                case 3: AddKeyValue(attributes, field.Bytes!); break;
            }
        }

        return new OtlpSpanEvent(name, time, attributes);
    }

    private static OtlpSpanLink DecodeLink(byte[] message)
    {
        string traceId = string.Empty, spanId = string.Empty;
        var attributes = new Dictionary<string, object?>();
        foreach (var field in Fields(message))
        {
            switch (field.Number)
            {
                case 1: traceId = Hex(field.Bytes!); break;
                case 2: spanId = Hex(field.Bytes!); break;
                case 4: AddKeyValue(attributes, field.Bytes!); break;
            }
        }

        return new OtlpSpanLink(traceId, spanId, attributes);
    }

    private static OtlpMetric DecodeMetric(byte[] message, string scopeName, OtlpResource resource)
    {
        string name = string.Empty, description = string.Empty, unit = string.Empty;
        var kind = OtlpMetricKind.Gauge;
        var monotonic = false;
        var temporality = 0;
        var points = new List<OtlpDataPoint>();
        foreach (var field in Fields(message))
        {
            switch (field.Number)
            {
                case 1: name = Utf8(field.Bytes!); break;
                case 2: description = Utf8(field.Bytes!); break;
                case 3: unit = Utf8(field.Bytes!); break;
                case 5:
                case 7:
                case 9:
                case 10:
                case 11:
                    kind = field.Number switch
                    {
                        5 => OtlpMetricKind.Gauge,
                        7 => OtlpMetricKind.Sum,
                        9 => OtlpMetricKind.Histogram,
                        10 => OtlpMetricKind.ExponentialHistogram,
                        _ => OtlpMetricKind.Summary,
                    };
                    foreach (var data in Fields(field.Bytes!))
                    {
                        switch (data.Number)
                        {
                            case 1: points.Add(DecodeDataPoint(kind, data.Bytes!)); break;
                            case 2: temporality = (int)data.Scalar; break;
                            case 3: monotonic = data.Scalar != 0; break;
                        }
                    }

                    break;
            }
        }

        return new OtlpMetric(name, description, unit, kind, monotonic, temporality, points, scopeName, resource);
    }

    private static OtlpDataPoint DecodeDataPoint(OtlpMetricKind kind, byte[] message)
    {
        // Attribute field numbers differ per point type: NumberDataPoint 7, HistogramDataPoint 9,
        // ExponentialHistogramDataPoint 1, SummaryDataPoint 7.
        var attributesField = kind switch
        {
            OtlpMetricKind.Histogram => 9,
            OtlpMetricKind.ExponentialHistogram => 1,
            _ => 7,
        };
        var isNumber = kind is OtlpMetricKind.Gauge or OtlpMetricKind.Sum;
        var attributes = new Dictionary<string, object?>();
        ulong time = 0;
        long? asLong = null;
        double? asDouble = null, sum = null, min = null, max = null;
        ulong? count = null;
        var buckets = new List<ulong>();
        var bounds = new List<double>();
        foreach (var field in Fields(message))
        {
            if (field.Number == attributesField)
            {
                AddKeyValue(attributes, field.Bytes!);
                continue;
            }

            switch (field.Number)
            {
                case 3: time = field.Scalar; break;
                case 4 when isNumber: asDouble = BitConverter.Int64BitsToDouble((long)field.Scalar); break;
                case 6 when isNumber: asLong = (long)field.Scalar; break;
                case 4: count = field.Scalar; break;
                case 5 when !isNumber: sum = BitConverter.Int64BitsToDouble((long)field.Scalar); break;
                case 6 when kind == OtlpMetricKind.Histogram: ReadFixed64s(field, buckets); break;
                case 7 when kind == OtlpMetricKind.Histogram:
                    bounds.AddRange(ReadFixed64sAsList(field).Select(b => BitConverter.Int64BitsToDouble((long)b)));
                    break;
                case 11 when kind == OtlpMetricKind.Histogram: min = BitConverter.Int64BitsToDouble((long)field.Scalar); break;
                case 12 when kind == OtlpMetricKind.Histogram: max = BitConverter.Int64BitsToDouble((long)field.Scalar); break;
                case 12 when kind == OtlpMetricKind.ExponentialHistogram: min = BitConverter.Int64BitsToDouble((long)field.Scalar); break;
                case 13 when kind == OtlpMetricKind.ExponentialHistogram: max = BitConverter.Int64BitsToDouble((long)field.Scalar); break;
            }
        }

        return new OtlpDataPoint(attributes, time, asLong, asDouble, count, sum, buckets, bounds, min, max);
    }

    private static List<ulong> ReadFixed64sAsList(Field field)
    {
        var values = new List<ulong>();
        ReadFixed64s(field, values);
        return values;
    }

    /// <summary>Repeated fixed64/double: packed (one length-delimited run) or not (one field per value).</summary>
    private static void ReadFixed64s(Field field, List<ulong> values)
    {
        if (field.Bytes is null)
        {
            values.Add(field.Scalar);
            return;
        }

        for (var offset = 0; offset + 8 <= field.Bytes.Length; offset += 8)
        {
            values.Add(BinaryPrimitives.ReadUInt64LittleEndian(field.Bytes.AsSpan(offset, 8)));
        }
    }

    private static OtlpResource DecodeResource(byte[] message)
    {
        var attributes = new Dictionary<string, object?>();
        foreach (var field in Fields(message).Where(f => f.Number == 1))
        {
            AddKeyValue(attributes, field.Bytes!);
        }

        return new OtlpResource(attributes);
    }

    private static string DecodeScopeName(byte[] message) =>
        Fields(message).Where(f => f.Number == 1).Select(f => Utf8(f.Bytes!)).FirstOrDefault() ?? string.Empty;

    private static void AddKeyValue(Dictionary<string, object?> attributes, byte[] keyValue)
    {
        var key = string.Empty;
        object? value = null;
        foreach (var field in Fields(keyValue))
        {
            switch (field.Number)
            {
                case 1: key = Utf8(field.Bytes!); break;
                case 2: value = DecodeAnyValue(field.Bytes!); break;
            }
        }

        attributes[key] = value;
    }

    private static object? DecodeAnyValue(byte[] message)
    {
        object? value = null;
        foreach (var field in Fields(message))
        {
            value = field.Number switch
            {
                1 => Utf8(field.Bytes!),
                2 => field.Scalar != 0,
                3 => (long)field.Scalar,
                4 => BitConverter.Int64BitsToDouble((long)field.Scalar),
                5 => Fields(field.Bytes!).Where(f => f.Number == 1).Select(f => DecodeAnyValue(f.Bytes!)).ToArray(),
                6 => DecodeKeyValueList(field.Bytes!),
                7 => field.Bytes!,
                _ => value,
            };
        }

        return value;
    }

    private static IReadOnlyDictionary<string, object?> DecodeKeyValueList(byte[] message)
    {
        var values = new Dictionary<string, object?>();
        foreach (var field in Fields(message).Where(f => f.Number == 1))
        {
            AddKeyValue(values, field.Bytes!);
        }

        return values;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static string Utf8(byte[] bytes) => System.Text.Encoding.UTF8.GetString(bytes);

    /// <summary>Every field of a message, in order: scalars for varint/fixed wire types, bytes for length-delimited.</summary>
    private static List<Field> Fields(byte[] message)
    {
        var fields = new List<Field>();
        var input = new CodedInputStream(message);
        while (!input.IsAtEnd)
        {
            var tag = input.ReadTag();
            if (tag == 0)
            {
                break;
            }

            var number = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.Varint: fields.Add(new Field(number, input.ReadUInt64(), null)); break;
                case WireFormat.WireType.Fixed64: fields.Add(new Field(number, input.ReadFixed64(), null)); break;
                case WireFormat.WireType.Fixed32: fields.Add(new Field(number, input.ReadFixed32(), null)); break;
                case WireFormat.WireType.LengthDelimited: fields.Add(new Field(number, 0, input.ReadBytes().ToByteArray())); break;
                default: input.SkipLastField(); break;
            }
        }

        return fields;
    }

    private readonly record struct Field(int Number, ulong Scalar, byte[]? Bytes);
}
