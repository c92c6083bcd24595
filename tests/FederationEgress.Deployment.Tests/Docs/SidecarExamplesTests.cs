using System.Text.Json.Nodes;
using FederationEgress.Deployment.Tests.Infrastructure;

namespace FederationEgress.Deployment.Tests.Docs;

/// <summary>The documented sidecar manifests keep the proxy private to its pod and hardened.</summary>
public sealed class SidecarExamplesTests
{
    private const int AppDrainTimeoutSeconds = 30;

    public static TheoryData<string> SidecarFiles() =>
        ["sidecar-deployment.yaml", "native-sidecar-deployment.yaml", "synapse-chart-sidecar-values.yaml"];

    [Theory]
    [MemberData(nameof(SidecarFiles))]
    public void SidecarContainer_BindsForwardingListenersToLoopbackOnly(string file)
    {
        var env = Environment(Sidecar(file));

        Assert.Equal("127.0.0.1", env["Listen__Address"]);
        if (env.GetValueOrDefault("Synapse__Enabled") == "true")
        {
            Assert.Equal("127.0.0.1", env["Synapse__Address"]);
            Assert.True(env.ContainsKey("Synapse__SharedSecretFile") || env.ContainsKey("Synapse__SharedSecret"));
        }

        // Probes come from the kubelet via the pod IP.
        Assert.Equal("0.0.0.0", env["Management__Address"]);
    }

    [Theory]
    [MemberData(nameof(SidecarFiles))]
    public void SidecarContainer_IsHardenedWithWritableTmpOnly(string file)
    {
        var container = Sidecar(file);
        var security = container["securityContext"]!;

        Assert.True((bool)security["readOnlyRootFilesystem"]!);
        Assert.True((bool)security["runAsNonRoot"]!);
        Assert.False((bool)security["allowPrivilegeEscalation"]!);
        Assert.Equal(["ALL"], security["capabilities"]!["drop"]!.AsArray().Select(n => (string)n!));
        Assert.Contains(container["volumeMounts"]!.AsArray(), m => (string?)m!["mountPath"] == "/tmp");
        Assert.Equal("/healthz", (string?)container["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/readyz", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
    }

    [Theory]
    [InlineData("sidecar-deployment.yaml")]
    [InlineData("native-sidecar-deployment.yaml")]
    public void SidecarPod_GracePeriodExceedsTheProxyDrain(string file)
    {
        var pod = Load(file)!["spec"]!["template"]!["spec"]!;

        Assert.True((int)pod["terminationGracePeriodSeconds"]! > AppDrainTimeoutSeconds);
    }

    [Fact]
    public void NativeSidecar_IsAnInitContainerThatKeepsRunning()
    {
        var pod = Load("native-sidecar-deployment.yaml")!["spec"]!["template"]!["spec"]!;
        var sidecar = pod["initContainers"]!.AsArray().Single(c => (string?)c!["name"] == "federation-egress")!;

        Assert.Equal("Always", (string?)sidecar["restartPolicy"]);
        Assert.DoesNotContain(pod["containers"]!.AsArray(), c => (string?)c!["name"] == "federation-egress");
        Assert.NotNull(sidecar["startupProbe"]);
    }

    private static JsonNode? Load(string file) =>
        YamlToJson.ConvertFile(Path.Combine(RepositoryLayout.Chart, "examples", file));

    private static JsonNode Sidecar(string file)
    {
        var root = Load(file)!;
        var containers = root["extraContainers"]?.AsArray()
            ?? (root["spec"]!["template"]!["spec"]!["initContainers"] ?? root["spec"]!["template"]!["spec"]!["containers"])!.AsArray();
        return containers.Single(c => (string?)c!["name"] == "federation-egress")!;
    }

    private static Dictionary<string, string> Environment(JsonNode container) =>
        container["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => (string?)e!["value"] ?? string.Empty);
}
