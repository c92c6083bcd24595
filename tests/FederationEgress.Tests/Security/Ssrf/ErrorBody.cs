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

    /// <summary>The response body, de-chunked when it came with Transfer-Encoding: chunked.</summary>
    public static string BodyText(RawHttp.Response response)
    {
        if (!response.Head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            return response.Body;
        }

        var text = response.Body;
        var result = new System.Text.StringBuilder();
        var position = 0;
        while (position < text.Length)
        {
            var lineEnd = text.IndexOf("\r\n", position, StringComparison.Ordinal);
            var size = Convert.ToInt32(text[position..lineEnd].Split(';')[0].Trim(), 16);
            if (size == 0)
            {
                break;
            }

            result.Append(text, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }

        return result.ToString();
    }

    public static async Task<ErrorBody> OfAsync(HttpResponseMessage response) => Parse(await response.Content.ReadAsStringAsync());
}
