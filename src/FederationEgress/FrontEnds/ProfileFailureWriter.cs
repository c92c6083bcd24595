using System.Text.Encodings.Web;
using System.Text.Json;
using FederationEgress.Errors;
using FederationEgress.Forwarding;
using Microsoft.AspNetCore.Http;

namespace FederationEgress.FrontEnds;

/// <summary>
/// Renders a failure before response headers the way a <see cref="ForwardingProfile"/> asks:
/// status and errcode overrides, the reason under <see cref="ForwardingProfile.ErrorMessageKey"/>,
/// built by <see cref="ForwardingProfile.FailureMessageFormatter"/> when set. For path mode it is
/// the same as <see cref="EgressErrorMapper.WriteAsync"/>. The forwarding endpoint may call this.
/// </summary>
public static class ProfileFailureWriter
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the failure; does nothing once the response has started.</summary>
    public static async Task WriteAsync(HttpContext context, EgressError error, ForwardingProfile profile)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return;
        }

        response.Clear();
        response.StatusCode = profile.FailureStatusOverride ?? EgressErrorMapper.StatusCode(error.Kind);
        response.ContentType = "application/json";
        if (error.RetryAfter is { } retry && profile.FailureStatusOverride is null)
        {
            response.Headers.RetryAfter = ((long)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await using var writer = new Utf8JsonWriter(response.Body, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("errcode", profile.FailureErrCodeOverride ?? EgressErrorMapper.ErrCode(error.Kind));
        writer.WriteString(profile.ErrorMessageKey, profile.FailureMessageFormatter?.Invoke(context, error) ?? error.ToString());
        writer.WriteString("reason", EgressErrorMapper.TypeName(error.Kind));
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }
}
