namespace FederationEgress.FrontEnds;

/// <summary>
/// RFC 9110 §7.6.1: a proxy must drop the headers an upstream response names in <c>Connection</c>
/// (Synapse's proxy does; row PX-04). HttpClient parses <c>Connection</c> but keeps the nominated
/// headers, and YARP drops <c>Connection</c> itself without them, so the forwarder calls this on
/// the upstream response before copying its headers.
/// </summary>
public static class ConnectionNominatedHeaders
{
    /// <summary>Removes every header named in <paramref name="response"/>'s Connection header (case-insensitive).</summary>
    public static void Remove(HttpResponseMessage response)
    {
        var connection = response.Headers.Connection;
        if (connection.Count == 0)
        {
            return;
        }

        foreach (var token in connection.ToArray())
        {
            // TryGetValues first: Remove throws for names that belong to the other collection.
            RemoveFrom(response.Headers, token);
            RemoveFrom(response.Content.Headers, token);
        }
    }

    private static void RemoveFrom(System.Net.Http.Headers.HttpHeaders headers, string name)
    {
        if (headers.TryGetValues(name, out _))
        {
            headers.Remove(name);
        }
    }
}
