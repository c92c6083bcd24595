using System.Text.Json.Nodes;

namespace FederationEgress.Deployment.Tests.Infrastructure;

/// <summary>Path look-ups in chart values and in the values JSON Schema.</summary>
internal static class ValuesTree
{
    /// <summary>The node at a dotted path, or false when a segment is missing.</summary>
    public static bool TryGet(JsonNode? root, string dottedPath, out JsonNode? node)
    {
        node = root;
        foreach (var segment in dottedPath.Split('.'))
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(segment, out node))
            {
                node = null;
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when the schema describes the path: each segment is a declared property, or the
    /// object allows any property (free-form maps such as <c>config</c> or <c>resources</c>).
    /// </summary>
    public static bool SchemaDescribes(JsonNode schema, string dottedPath)
    {
        var node = schema;
        foreach (var segment in dottedPath.Split('.'))
        {
            if (node?["properties"]?[segment] is { } declared)
            {
                node = declared;
                continue;
            }

            var additional = node?["additionalProperties"];
            if (additional is JsonValue v && v.TryGetValue<bool>(out var allowed) && !allowed)
            {
                return false;
            }

            // additionalProperties absent/true: free-form; a schema: keep walking inside it.
            if (additional is not JsonObject)
            {
                return true;
            }

            node = additional;
        }

        return true;
    }

    /// <summary>Dotted paths of every leaf: scalars, lists and empty maps.</summary>
    public static IEnumerable<string> LeafPaths(JsonNode? node, string prefix = "")
    {
        if (node is JsonObject obj && obj.Count > 0)
        {
            foreach (var (key, child) in obj)
            {
                foreach (var path in LeafPaths(child, prefix.Length == 0 ? key : $"{prefix}.{key}"))
                {
                    yield return path;
                }
            }
        }
        else
        {
            yield return prefix;
        }
    }
}
