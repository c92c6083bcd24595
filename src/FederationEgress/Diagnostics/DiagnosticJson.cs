using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FederationEgress.Diagnostics;

/// <summary>
/// JSON conventions for operator-facing reports (the resolve endpoint and <c>resolve --json</c>):
/// snake_case names and enum values (matching the <c>matrix.*</c> attribute values, e.g.
/// "well_known_srv"), IP addresses and endpoints as strings, nulls omitted, indented, and
/// non-ASCII server names written as-is rather than \u-escaped.
/// </summary>
public static class DiagnosticJson
{
    /// <summary>The serializer options for reports.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Serializes <paramref name="value"/> with <see cref="Options"/>.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.Converters.Add(new IPAddressConverter());
        options.Converters.Add(new IPEndPointConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class IPAddressConverter : JsonConverter<IPAddress>
    {
        public override IPAddress Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            IPAddress.TryParse(reader.GetString(), out var address) ? address : throw new JsonException("Expected an IP address.");

        public override void Write(Utf8JsonWriter writer, IPAddress value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString());
    }

    private sealed class IPEndPointConverter : JsonConverter<IPEndPoint>
    {
        public override IPEndPoint Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            IPEndPoint.TryParse(reader.GetString() ?? string.Empty, out var endPoint) ? endPoint : throw new JsonException("Expected ip:port.");

        public override void Write(Utf8JsonWriter writer, IPEndPoint value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString());
    }
}
