using System.Text.Json.Nodes;
using FederationEgress.Deployment.Tests.Infrastructure;

namespace FederationEgress.Deployment.Tests.Chart;

/// <summary>values.yaml and the examples validate against values.schema.json; bad values do not.</summary>
public sealed class ValuesSchemaTests
{
    [Fact]
    public async Task DefaultValues_ValidateAgainstSchema()
    {
        var outcome = await SchemaValidator.ValidateAsync(RepositoryLayout.ValuesSchema, DefaultValues());

        Assert.True(outcome.Valid, outcome.ToString());
    }

    public static TheoryData<string> ExampleValuesFiles() => new(
        Directory.EnumerateFiles(Path.Combine(RepositoryLayout.Chart, "examples"), "values-*.yaml")
            .Select(f => Path.GetFileName(f)!)
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(ExampleValuesFiles))]
    public async Task ExampleValues_MergedOverDefaults_ValidateAgainstSchema(string file)
    {
        var overrides = YamlToJson.ConvertFile(Path.Combine(RepositoryLayout.Chart, "examples", file));
        var merged = Merge(DefaultValues(), overrides);

        var outcome = await SchemaValidator.ValidateAsync(RepositoryLayout.ValuesSchema, merged);

        Assert.True(outcome.Valid, outcome.ToString());
    }

    [Theory]
    [InlineData("replicaCount", "-1", "/replicaCount")]
    [InlineData("replicaCount", "\"two\"", "/replicaCount")]
    [InlineData("kind", "\"StatefulSet\"", "/kind")]
    [InlineData("containerPorts.proxy", "70000", "/containerPorts/proxy")]
    [InlineData("containerPorts.management", "\"8010\"", "/containerPorts/management")]
    [InlineData("service.ports.proxy", "0", "/service/ports/proxy")]
    [InlineData("image.pullPolicy", "\"Sometimes\"", "/image/pullPolicy")]
    [InlineData("image.digest", "\"latest\"", "/image/digest")]
    [InlineData("logging.format", "\"xml\"", "/logging/format")]
    [InlineData("shutdown.drainTimeoutSeconds", "-5", "/shutdown/drainTimeoutSeconds")]
    [InlineData("shutdown.terminationGracePeriodSeconds", "\"60s\"", "/shutdown/terminationGracePeriodSeconds")]
    [InlineData("readinessProbe.path", "\"readyz\"", "/readinessProbe/path")]
    [InlineData("networkPolicy.enabled", "\"yes\"", "/networkPolicy/enabled")]
    [InlineData("networkPolicy.egress.internet", "[{\"cidr\":\"everywhere\"}]", "/networkPolicy/egress/internet/0/cidr")]
    [InlineData("auth.allowedClientRanges", "[\"10.0.0.1\"]", "/auth/allowedClientRanges/0")]
    [InlineData("auth.existingSecret", "\"Not_A_Name\"", "/auth/existingSecret")]
    [InlineData("otel.protocol", "\"udp\"", "/otel/protocol")]
    [InlineData("otel.endpoint", "\"collector:4317\"", "/otel/endpoint")]
    [InlineData("extraCa.bundle", "\"not a certificate\"", "/extraCa/bundle")]
    [InlineData("podAntiAffinityPreset", "\"always\"", "/podAntiAffinityPreset")]
    [InlineData("tmpVolume.sizeLimit", "\"64 megabytes\"", "/tmpVolume/sizeLimit")]
    [InlineData("pdb.maxUnavailable", "\"half\"", "/pdb/maxUnavailable")]
    [InlineData("config", "[]", "/config")]
    [InlineData("resources", "\"small\"", "/resources")]
    [InlineData("mallocArenaMax", "0", "/mallocArenaMax")]
    [InlineData("mallocArenaMax", "\"2\"", "/mallocArenaMax")]
    [InlineData("replicas", "3", "/")]
    [InlineData("image.tagg", "\"1.0\"", "/image")]
    public async Task InvalidValue_IsRejectedNamingThePath(string path, string jsonValue, string expectedInstancePath)
    {
        var values = DefaultValues();
        Set(values, path, JsonNode.Parse(jsonValue));

        var outcome = await SchemaValidator.ValidateAsync(RepositoryLayout.ValuesSchema, values);

        Assert.False(outcome.Valid, $"{path}={jsonValue} was accepted");
        Assert.Contains(outcome.Errors, e => e.StartsWith(expectedInstancePath + ":", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Autoscaling_WithDaemonSet_IsRejected()
    {
        var values = DefaultValues();
        Set(values, "kind", JsonValue.Create("DaemonSet"));
        Set(values, "autoscaling.enabled", JsonValue.Create(true));

        var outcome = await SchemaValidator.ValidateAsync(RepositoryLayout.ValuesSchema, values);

        Assert.False(outcome.Valid);
        Assert.Contains(outcome.Errors, e => e.StartsWith("/kind:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Autoscaling_WithDeployment_IsAccepted()
    {
        var values = DefaultValues();
        Set(values, "autoscaling.enabled", JsonValue.Create(true));

        var outcome = await SchemaValidator.ValidateAsync(RepositoryLayout.ValuesSchema, values);

        Assert.True(outcome.Valid, outcome.ToString());
    }

    [Fact]
    public async Task FreeFormConfig_AcceptsProxySettings()
    {
        var values = DefaultValues();
        Set(values, "config", JsonNode.Parse("""{"Tls":{"SkipVerification":["internal.example"]},"Dns":{"Servers":["10.96.0.10"]}}"""));

        var outcome = await SchemaValidator.ValidateAsync(RepositoryLayout.ValuesSchema, values);

        Assert.True(outcome.Valid, outcome.ToString());
    }

    internal static JsonObject DefaultValues() => YamlToJson.ConvertFile(RepositoryLayout.ValuesYaml)!.AsObject();

    private static void Set(JsonObject root, string dottedPath, JsonNode? value)
    {
        var segments = dottedPath.Split('.');
        var node = root;
        foreach (var segment in segments[..^1])
        {
            node = node[segment]!.AsObject();
        }

        node[segments[^1]] = value;
    }

    private static JsonNode? Merge(JsonNode? target, JsonNode? source)
    {
        if (target is not JsonObject targetObject || source is not JsonObject sourceObject)
        {
            return source?.DeepClone();
        }

        foreach (var (key, value) in sourceObject)
        {
            targetObject[key] = Merge(targetObject[key]?.DeepClone(), value);
        }

        return targetObject;
    }
}
