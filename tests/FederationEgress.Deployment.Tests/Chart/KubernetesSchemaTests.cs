using System.Text.Json.Nodes;
using FederationEgress.Deployment.Tests.Infrastructure;

namespace FederationEgress.Deployment.Tests.Chart;

/// <summary>Rendered manifests and the sidecar examples pass the Kubernetes API schemas.</summary>
public sealed class KubernetesSchemaTests
{
    private static readonly Dictionary<string, string> Scenarios = new()
    {
        ["defaults"] = "{}",
        ["everything-on"] = """
            auth:
              bearerToken: s3cret
              allowedClientRanges: ["10.0.0.0/8"]
            synapse:
              enabled: true
              sharedSecret: replication
            connect:
              enabled: true
            extraCa:
              bundle: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
            autoscaling:
              enabled: true
              targetMemoryUtilizationPercentage: 80
            pdb:
              minAvailable: 50%
            startupProbe:
              enabled: true
            podAntiAffinityPreset: hard
            topologySpreadConstraints:
              - maxSkew: 1
                topologyKey: topology.kubernetes.io/zone
                whenUnsatisfiable: ScheduleAnyway
            otel:
              endpoint: http://collector.observability:4317
              disabled: true
            service:
              trafficDistribution: PreferClose
              annotations:
                example.org/owner: matrix
            image:
              registry: registry.example.org
              digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
              pullSecrets: ["regcred"]
            extraEnv:
              - name: Dns__TimeoutSeconds
                value: "3"
            extraVolumes:
              - name: extra
                emptyDir: {}
            extraVolumeMounts:
              - name: extra
                mountPath: /extra
            sidecars:
              - name: shell
                image: busybox
            networkPolicy:
              ingress:
                homeserverNamespaceSelector:
                  matchLabels:
                    team: matrix
                managementFrom:
                  - namespaceSelector:
                      matchLabels:
                        kubernetes.io/metadata.name: monitoring
              egress:
                extraTo:
                  - to:
                      - ipBlock:
                          cidr: 10.20.0.0/16
                    ports:
                      - port: 4317
                        protocol: TCP
            commonLabels:
              team: matrix
            tmpVolume:
              medium: Memory
            """,
        ["daemonset"] = "kind: DaemonSet\npdb:\n  create: false",
        ["no-networkpolicy-no-tests"] = "networkPolicy:\n  enabled: false\ntests:\n  enabled: false\nserviceAccount:\n  create: false",
    };

    public static TheoryData<string> ScenarioNames() => new(Scenarios.Keys);

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public async Task RenderedManifests_PassKubernetesSchemas(string scenario)
    {
        var chart = await HelmRenderer.RenderAsync(Scenarios[scenario]);

        var outcomes = await ManifestValidator.ValidateAsync(chart.Manifests);

        Assert.Equal(chart.Manifests.Count, outcomes.Count);
        Assert.All(outcomes, o => Assert.True(o.Valid, o.ToString()));
    }

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public async Task Scenarios_AreValidValues(string scenario)
    {
        var values = ValuesSchemaTests.DefaultValues();
        HelmRenderer.MergeValues(values, (YamlToJson.Convert(Scenarios[scenario]) as JsonObject) ?? []);

        var outcome = await SchemaValidator.ValidateAsync(RepositoryLayout.ValuesSchema, values);

        Assert.True(outcome.Valid, outcome.ToString());
    }

    [Theory]
    [InlineData("sidecar-deployment.yaml")]
    [InlineData("native-sidecar-deployment.yaml")]
    public async Task SidecarExample_PassesKubernetesSchemas(string file)
    {
        var manifests = YamlToJson.ConvertAll(File.ReadAllText(Path.Combine(RepositoryLayout.Chart, "examples", file))).OfType<JsonObject>().ToArray();

        var outcomes = await ManifestValidator.ValidateAsync(manifests);

        Assert.NotEmpty(outcomes);
        Assert.All(outcomes, o => Assert.True(o.Valid, o.ToString()));
    }

    [Fact]
    public async Task Validator_RejectsAWrongFieldType()
    {
        var deployment = (await HelmRenderer.RenderAsync()).Workload.DeepClone();
        deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]![0]!["containerPort"] = "eight thousand";

        var outcome = Assert.Single(await ManifestValidator.ValidateAsync([deployment]));

        Assert.False(outcome.Valid);
        Assert.Contains("containerPort", outcome.Error, StringComparison.Ordinal);
    }
}
