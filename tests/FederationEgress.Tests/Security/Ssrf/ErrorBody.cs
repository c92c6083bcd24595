using System.Text.Json;
using FederationEgress.Testing.Hosting;

namespace FederationEgress.Tests.Security.Ssrf;

/// <summary>The proxy's JSON error body: errcode, error (step: message) and reason (the kind).</summary>
internal sealed record ErrorBody(string ErrCode, string Error, string Reason)
{
    public static ErrorBody Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new ErrorBody(
            root.GetProperty("errcode").GetString()!,
            root.GetProperty("error").GetString()!,
            root.GetProperty("reason").GetString()!);
    }

    public static ErrorBody Of(RawHttp.Response response) => Parse(BodyText(response));

    /// <summary>The response body, de-chunked (chunk sizes count UTF-8 bytes) when it came with Transfer-Encoding: chunked.</summary>
    public static string BodyText(RawHttp.Response response)
    {
        if (!response.Head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            return response.Body;
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(response.Body);
        using var result = new MemoryStream();
        var position = 0;
        while (position < bytes.Length)
        {
            var lineEnd = Array.IndexOf(bytes, (byte)'\r', position);
            var sizeText = System.Text.Encoding.ASCII.GetString(bytes, position, lineEnd - position).Split(';')[0].Trim();
            var size = Convert.ToInt32(sizeText, 16);
            if (size == 0)
            {
                break;
            }

            result.Write(bytes, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }

        return System.Text.Encoding.UTF8.GetString(result.ToArray());
    }

    public static async Task<ErrorBody> OfAsync(HttpResponseMessage response) => Parse(await response.Content.ReadAsStringAsync());
}
