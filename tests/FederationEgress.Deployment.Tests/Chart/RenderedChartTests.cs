using System.Text;
using System.Text.Json.Nodes;
using FederationEgress.Deployment.Tests.Infrastructure;

namespace FederationEgress.Deployment.Tests.Chart;

/// <summary>
/// The chart rendered with Go's text/template (tools/helmrender) under default and non-default
/// values: what Kubernetes would receive.
/// </summary>
public sealed class RenderedChartTests
{
    private const string SecretsDir = "/etc/federation-egress/secrets";

    [Fact]
    public async Task Defaults_RenderTheExpectedResourcesOnly()
    {
        var chart = await HelmRenderer.RenderAsync();

        var kinds = chart.Manifests.Select(m => (string)m["kind"]!).Order(StringComparer.Ordinal);

        Assert.Equal(["ConfigMap", "Deployment", "NetworkPolicy", "Pod", "PodDisruptionBudget", "Service", "ServiceAccount"], kinds);
        Assert.All(chart.Manifests, m => Assert.Equal(HelmRenderer.Namespace, (string?)m["metadata"]!["namespace"]));
    }

    [Fact]
    public async Task Defaults_ProxyJsonBindsAllInterfacesOnTheAppPortsWithTheDrainTimeout()
    {
        var chart = await HelmRenderer.RenderAsync();
        var proxy = chart.ProxyJson;

        Assert.Equal("0.0.0.0", (string?)proxy["Listen"]!["Address"]);
        Assert.Equal(8009, (int)proxy["Listen"]!["Port"]!);
        Assert.Equal("0.0.0.0", (string?)proxy["Management"]!["Address"]);
        Assert.Equal(8010, (int)proxy["Management"]!["Port"]!);
        Assert.Equal(30, (int)proxy["Shutdown"]!["DrainTimeoutSeconds"]!);
        Assert.Equal("json", (string?)proxy["Logging"]!["Console"]!["FormatterName"]);
        Assert.False((bool)proxy["Synapse"]!["Enabled"]!);
        Assert.Null(proxy["ClientAuth"]);
    }

    [Fact]
    public async Task Defaults_ConfigFileIsMountedWhereFederationEgressConfigPoints()
    {
        var chart = await HelmRenderer.RenderAsync();
        var configFile = chart.ProxyEnvironment["FEDERATIONEGRESS_CONFIG"];
        var configVolume = chart.PodSpec["volumes"]!.AsArray().Single(v => v!["configMap"] is not null)!;
        var mount = chart.ProxyContainer["volumeMounts"]!.AsArray().Single(m => (string?)m!["name"] == (string?)configVolume["name"])!;

        Assert.Equal($"{(string)mount["mountPath"]!}/proxy.json", configFile);
        Assert.Equal((string?)chart.Single("ConfigMap")["metadata"]!["name"], (string?)configVolume["configMap"]!["name"]);
        Assert.True((bool)mount["readOnly"]!);
    }

    [Fact]
    public async Task Defaults_EnvironmentOverridesTheImagesListenAddresses()
    {
        var env = (await HelmRenderer.RenderAsync("listenAddress: '::'\nmanagementAddress: '::'")).ProxyEnvironment;

        Assert.Equal("::", env["Listen__Address"]);
        Assert.Equal("::", env["Management__Address"]);
        Assert.Equal("::", env["Synapse__Address"]);
        Assert.Equal("::", env["Connect__Address"]);
    }

    [Fact]
    public async Task Defaults_ProbesHitHealthAndReadinessOnTheManagementContainerPort()
    {
        var container = (await HelmRenderer.RenderAsync()).ProxyContainer;
        var management = container["ports"]!.AsArray().Single(p => (string?)p!["name"] == "management")!;

        Assert.Equal(8010, (int)management["containerPort"]!);
        Assert.Equal("/healthz", (string?)container["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("management", (string?)container["livenessProbe"]!["httpGet"]!["port"]);
        Assert.Equal("/readyz", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("management", (string?)container["readinessProbe"]!["httpGet"]!["port"]);
        Assert.Null(container["startupProbe"]);
    }

    [Fact]
    public async Task Defaults_PodIsRestrictedWithWritableTmpOnly()
    {
        var chart = await HelmRenderer.RenderAsync();
        var security = chart.ProxyContainer["securityContext"]!;
        var tmpMount = chart.ProxyContainer["volumeMounts"]!.AsArray().Single(m => (string?)m!["mountPath"] == "/tmp")!;
        var tmpVolume = chart.PodSpec["volumes"]!.AsArray().Single(v => (string?)v!["name"] == (string?)tmpMount["name"])!;

        Assert.True((bool)security["readOnlyRootFilesystem"]!);
        Assert.True((bool)security["runAsNonRoot"]!);
        Assert.Equal(1654, (int)security["runAsUser"]!);
        Assert.False((bool)security["allowPrivilegeEscalation"]!);
        Assert.Equal(["ALL"], security["capabilities"]!["drop"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("RuntimeDefault", (string?)chart.PodSpec["securityContext"]!["seccompProfile"]!["type"]);
        Assert.NotNull(tmpVolume["emptyDir"]);
        Assert.False((bool)chart.PodSpec["automountServiceAccountToken"]!);
    }

    [Fact]
    public async Task Termination_GraceCoversPreStopSleepPlusDrain()
    {
        var chart = await HelmRenderer.RenderAsync("shutdown:\n  drainTimeoutSeconds: 60\n  preStopSleepSeconds: 7");

        Assert.Equal(60 + 7 + 10, (int)chart.PodSpec["terminationGracePeriodSeconds"]!);
        Assert.Equal(7, (int)chart.ProxyContainer["lifecycle"]!["preStop"]!["sleep"]!["seconds"]!);
        Assert.Equal(60, (int)chart.ProxyJson["Shutdown"]!["DrainTimeoutSeconds"]!);
    }

    [Fact]
    public async Task Termination_ExplicitGracePeriodWins()
    {
        var chart = await HelmRenderer.RenderAsync("shutdown:\n  terminationGracePeriodSeconds: 120");

        Assert.Equal(120, (int)chart.PodSpec["terminationGracePeriodSeconds"]!);
    }

    [Theory]
    [InlineData("v1.29.4")]
    [InlineData("v1.31.0")]
    public async Task PreStopSleep_RenderedOnlyWhereKubernetesSupportsIt(string kubeVersion)
    {
        var chart = await HelmRenderer.RenderAsync(overrides: null, kubeVersion: kubeVersion);

        var hasSleep = chart.ProxyContainer["lifecycle"]?["preStop"]?["sleep"] is not null;

        Assert.Equal(kubeVersion != "v1.29.4", hasSleep);
    }

    [Fact]
    public async Task ConfigChange_ChangesTheChecksumAnnotationSoPodsRoll()
    {
        var before = await HelmRenderer.RenderAsync();
        var after = await HelmRenderer.RenderAsync("config:\n  Dns:\n    TimeoutSeconds: 3");

        var checksum = (RenderedChart c) => (string?)c.Workload["spec"]!["template"]!["metadata"]!["annotations"]!["checksum/config"];

        Assert.Matches("^[0-9a-f]{64}$", checksum(before));
        Assert.NotEqual(checksum(before), checksum(after));
        Assert.Equal(3, (int)after.ProxyJson["Dns"]!["TimeoutSeconds"]!);
    }

    [Fact]
    public async Task Config_IsMergedButChartManagedKeysWin()
    {
        var chart = await HelmRenderer.RenderAsync("""
            containerPorts:
              proxy: 9009
            config:
              Listen:
                Port: 1234
              Tls:
                SkipVerification: ["internal.example"]
                ExtraCaFiles: ["/custom/ca.pem"]
            extraCa:
              bundle: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
            """);
        var proxy = chart.ProxyJson;

        Assert.Equal(9009, (int)proxy["Listen"]!["Port"]!);
        Assert.Equal(9009, (int)chart.ProxyContainer["ports"]!.AsArray().Single(p => (string?)p!["name"] == "proxy")!["containerPort"]!);
        Assert.Equal(["internal.example"], proxy["Tls"]!["SkipVerification"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(["/custom/ca.pem", $"{SecretsDir}/extra-ca.crt"], proxy["Tls"]!["ExtraCaFiles"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public async Task Config_CannotReEnableListenersOrChangeTheDrainBehindTheChartsBack()
    {
        // Probes, Service ports and the grace period follow the dedicated values, so those win
        // even when they are false or zero.
        var chart = await HelmRenderer.RenderAsync("""
            shutdown:
              drainTimeoutSeconds: 0
            config:
              Synapse:
                Enabled: true
                RequestTimeoutSeconds: 60
              Connect:
                Enabled: true
              Shutdown:
                DrainTimeoutSeconds: 99
            """);
        var proxy = chart.ProxyJson;

        Assert.False((bool)proxy["Synapse"]!["Enabled"]!);
        Assert.Equal(60, (int)proxy["Synapse"]!["RequestTimeoutSeconds"]!);
        Assert.False((bool)proxy["Connect"]!["Enabled"]!);
        Assert.Equal(0, (int)proxy["Shutdown"]!["DrainTimeoutSeconds"]!);
    }

    [Fact]
    public async Task InlineSecrets_GoIntoTheChartSecretAndAreMountedAsTheConfiguredFiles()
    {
        var chart = await HelmRenderer.RenderAsync("""
            auth:
              bearerToken: s3cret
            synapse:
              enabled: true
              sharedSecret: replication
            extraCa:
              bundle: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
            """);
        var secret = chart.Single("Secret");
        var projected = chart.PodSpec["volumes"]!.AsArray().Single(v => v!["projected"] is not null)!;
        var files = projected["projected"]!["sources"]!.AsArray()
            .Select(s => s!["secret"]!)
            .ToDictionary(s => (string)s["items"]![0]!["path"]!, s => ((string)s["name"]!, (string)s["items"]![0]!["key"]!));
        var mount = chart.ProxyContainer["volumeMounts"]!.AsArray().Single(m => (string?)m!["name"] == (string?)projected["name"])!;

        Assert.Equal("s3cret", Decode(secret["data"]!["bearer-token"]));
        Assert.Equal("replication", Decode(secret["data"]!["synapse-shared-secret"]));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", Decode(secret["data"]!["ca.crt"]), StringComparison.Ordinal);
        Assert.Equal(SecretsDir, (string?)mount["mountPath"]);
        Assert.Equal($"{SecretsDir}/bearer-token", (string?)chart.ProxyJson["ClientAuth"]!["BearerTokenFile"]);
        Assert.Equal($"{SecretsDir}/synapse-shared-secret", (string?)chart.ProxyJson["Synapse"]!["SharedSecretFile"]);
        var secretName = (string)secret["metadata"]!["name"]!;
        Assert.Equal((secretName, "bearer-token"), files["bearer-token"]);
        Assert.Equal((secretName, "synapse-shared-secret"), files["synapse-shared-secret"]);
        Assert.Equal((secretName, "ca.crt"), files["extra-ca.crt"]);
    }

    [Fact]
    public async Task ExistingSecrets_AreReferencedAndNoChartSecretIsCreated()
    {
        var chart = await HelmRenderer.RenderAsync("""
            auth:
              existingSecret: egress-token
              existingSecretKey: token
            synapse:
              enabled: true
              existingSecret: synapse-replication
              existingSecretKey: worker_replication_secret
            """);
        var sources = chart.PodSpec["volumes"]!.AsArray().Single(v => v!["projected"] is not null)!["projected"]!["sources"]!.AsArray();

        Assert.Empty(chart.OfKind("Secret"));
        Assert.Contains(sources, s => (string?)s!["secret"]!["name"] == "egress-token" && (string?)s["secret"]!["items"]![0]!["key"] == "token");
        Assert.Contains(sources, s => (string?)s!["secret"]!["name"] == "synapse-replication" && (string?)s["secret"]!["items"]![0]!["path"] == "synapse-shared-secret");
        Assert.Contains("worker_replication_secret", chart.Notes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SynapseAndConnect_OpenPortsOnContainerAndServiceAndTellTheOperator()
    {
        var chart = await HelmRenderer.RenderAsync("synapse:\n  enabled: true\n  existingSecret: s\nconnect:\n  enabled: true");
        var servicePorts = chart.Single("Service")["spec"]!["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (int)p!["port"]!);
        var containerPorts = chart.ProxyContainer["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (int)p!["containerPort"]!);

        Assert.Equal(8011, servicePorts["synapse"]);
        Assert.Equal(8012, servicePorts["connect"]);
        Assert.Equal(8011, containerPorts["synapse"]);
        Assert.Equal(8012, containerPorts["connect"]);
        Assert.True((bool)chart.ProxyJson["Synapse"]!["Enabled"]!);
        Assert.True((bool)chart.ProxyJson["Connect"]!["Enabled"]!);
        Assert.Contains("outbound_federation_restricted_to", chart.Notes, StringComparison.Ordinal);
        Assert.Contains($"host: egress-federation-egress.{HelmRenderer.Namespace}.svc", chart.Notes, StringComparison.Ordinal);
        Assert.Contains("port: 8011", chart.Notes, StringComparison.Ordinal);
        Assert.Contains("HTTPS_PROXY=http://egress-federation-egress.matrix.svc:8012", chart.Notes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notes_GivePathModeUrlOfTheService()
    {
        var chart = await HelmRenderer.RenderAsync();
        var service = (string)chart.Single("Service")["metadata"]!["name"]!;

        Assert.Contains($"http://{service}.{HelmRenderer.Namespace}.svc:8009/example.org/_matrix/federation/v1/send/1", chart.Notes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Selectors_OfServicePdbAndNetworkPolicyMatchThePodLabels()
    {
        var chart = await HelmRenderer.RenderAsync();
        var podLabels = chart.Workload["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();

        var selectors = new[]
        {
            chart.Workload["spec"]!["selector"]!["matchLabels"]!,
            chart.Single("Service")["spec"]!["selector"]!,
            chart.Single("PodDisruptionBudget")["spec"]!["selector"]!["matchLabels"]!,
            chart.Single("NetworkPolicy")["spec"]!["podSelector"]!["matchLabels"]!,
        };

        Assert.All(selectors, selector => Assert.All(selector.AsObject(), label =>
            Assert.Equal((string?)label.Value, (string?)podLabels[label.Key])));
    }

    [Fact]
    public async Task NetworkPolicy_AdmitsHomeserversAndTheTestPodAndAllowsDnsAndPublicEgress()
    {
        var chart = await HelmRenderer.RenderAsync();
        var policy = chart.Single("NetworkPolicy")["spec"]!;
        var testPodLabels = chart.Single("Pod")["metadata"]!["labels"]!;
        var ingress = policy["ingress"]!.AsArray();
        var egress = policy["egress"]!.AsArray();

        Assert.Equal(["Ingress", "Egress"], policy["policyTypes"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("true", (string?)ingress[0]!["from"]![0]!["podSelector"]!["matchLabels"]!["federation-egress/client"]);
        Assert.Null(ingress[0]!["ports"]);
        var managementRule = ingress[1]!;
        Assert.Equal("management", (string?)managementRule["ports"]![0]!["port"]);
        Assert.All(managementRule["from"]![0]!["podSelector"]!["matchLabels"]!.AsObject(), l => Assert.Equal((string?)l.Value, (string?)testPodLabels[l.Key]));
        var dns = egress[0]!;
        Assert.Equal(["TCP:53", "UDP:53"], dns["ports"]!.AsArray().Select(p => $"{p!["protocol"]}:{p["port"]}").Order(StringComparer.Ordinal));
        Assert.Equal("kube-dns", (string?)dns["to"]![0]!["podSelector"]!["matchLabels"]!["k8s-app"]);
        var blocks = egress[1]!["to"]!.AsArray().Select(t => t!["ipBlock"]!).ToArray();
        Assert.Equal(["0.0.0.0/0", "::/0"], blocks.Select(b => (string)b["cidr"]!));
        Assert.Contains("10.0.0.0/8", blocks[0]["except"]!.AsArray().Select(n => (string)n!));
        Assert.Null(egress[1]!["ports"]);
    }

    [Fact]
    public async Task NetworkPolicy_Disabled_IsNotRendered()
    {
        var chart = await HelmRenderer.RenderAsync("networkPolicy:\n  enabled: false");

        Assert.Empty(chart.OfKind("NetworkPolicy"));
        Assert.Contains("No NetworkPolicy", chart.Notes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Autoscaling_CreatesHpaAndLeavesReplicasToIt()
    {
        var chart = await HelmRenderer.RenderAsync("autoscaling:\n  enabled: true\n  maxReplicas: 6");
        var hpa = chart.Single("HorizontalPodAutoscaler")["spec"]!;

        Assert.Null(chart.Workload["spec"]!["replicas"]);
        Assert.Equal((string?)chart.Workload["metadata"]!["name"], (string?)hpa["scaleTargetRef"]!["name"]);
        Assert.Equal(6, (int)hpa["maxReplicas"]!);
        Assert.Equal(70, (int)hpa["metrics"]![0]!["resource"]!["target"]!["averageUtilization"]!);
    }

    [Fact]
    public async Task DaemonSet_UsesUpdateStrategyAndNoReplicasOrAntiAffinity()
    {
        var chart = await HelmRenderer.RenderAsync("kind: DaemonSet");
        var spec = chart.Workload["spec"]!;

        Assert.Equal("DaemonSet", (string?)chart.Workload["kind"]);
        Assert.Null(spec["replicas"]);
        Assert.Null(spec["strategy"]);
        Assert.Equal("RollingUpdate", (string?)spec["updateStrategy"]!["type"]);
        Assert.Null(chart.PodSpec["affinity"]);
        Assert.Contains("exec daemonset/egress-federation-egress -- dotnet FederationEgress.dll resolve", chart.Notes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pdb_MinAvailableReplacesMaxUnavailable()
    {
        var chart = await HelmRenderer.RenderAsync("pdb:\n  minAvailable: 1");
        var spec = chart.Single("PodDisruptionBudget")["spec"]!;

        Assert.Equal(1, (int)spec["minAvailable"]!);
        Assert.Null(spec["maxUnavailable"]);
    }

    [Fact]
    public async Task TopologySpread_DefaultsItsSelectorToThePodLabels()
    {
        var chart = await HelmRenderer.RenderAsync("""
            topologySpreadConstraints:
              - maxSkew: 1
                topologyKey: topology.kubernetes.io/zone
                whenUnsatisfiable: ScheduleAnyway
            """);
        var constraint = chart.PodSpec["topologySpreadConstraints"]![0]!;

        Assert.Equal("topology.kubernetes.io/zone", (string?)constraint["topologyKey"]);
        Assert.Equal("egress", (string?)constraint["labelSelector"]!["matchLabels"]!["app.kubernetes.io/instance"]);
    }

    [Fact]
    public async Task ExtraEnvAndOtel_AreAppendedToTheContainerEnvironment()
    {
        var chart = await HelmRenderer.RenderAsync("""
            extraEnv:
              - name: Dns__TimeoutSeconds
                value: "3"
            otel:
              endpoint: http://collector.observability:4317
              resourceAttributes: deployment.environment=prod
            """);
        var env = chart.ProxyEnvironment;

        Assert.Equal("3", env["Dns__TimeoutSeconds"]);
        Assert.Equal("http://collector.observability:4317", env["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("grpc", env["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.Equal("egress-federation-egress", env["OTEL_SERVICE_NAME"]);
        Assert.EndsWith(",deployment.environment=prod", env["OTEL_RESOURCE_ATTRIBUTES"], StringComparison.Ordinal);
        Assert.Contains("k8s.pod.name=$(POD_NAME)", env["OTEL_RESOURCE_ATTRIBUTES"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task MallocArenaMax_SetByDefaultOverridableAndRemovable()
    {
        var defaults = (await HelmRenderer.RenderAsync()).ProxyEnvironment;
        var raised = (await HelmRenderer.RenderAsync("mallocArenaMax: 8")).ProxyEnvironment;
        var removed = (await HelmRenderer.RenderAsync("mallocArenaMax: null")).ProxyEnvironment;

        Assert.Equal("2", defaults["MALLOC_ARENA_MAX"]);
        Assert.Equal("8", raised["MALLOC_ARENA_MAX"]);
        Assert.DoesNotContain("MALLOC_ARENA_MAX", removed.Keys);
    }

    [Fact]
    public async Task ConnectionTest_CurlsReadyzThroughTheServiceManagementPort()
    {
        var chart = await HelmRenderer.RenderAsync();
        var pod = chart.Single("Pod");
        var command = pod["spec"]!["containers"]![0]!["command"]!.AsArray().Select(n => (string)n!).ToArray();
        var service = (string)chart.Single("Service")["metadata"]!["name"]!;

        Assert.Equal("test", (string?)pod["metadata"]!["annotations"]!["helm.sh/hook"]);
        Assert.Equal("curl", command[0]);
        Assert.Equal($"http://{service}:8010/readyz", command[^1]);
        Assert.Contains(chart.Single("Service")["spec"]!["ports"]!.AsArray(), p => (int)p!["port"]! == 8010);
    }

    [Fact]
    public async Task ManagementNotExposed_DropsServicePortAndConnectionTest()
    {
        var chart = await HelmRenderer.RenderAsync("service:\n  exposeManagement: false");

        Assert.DoesNotContain(chart.Single("Service")["spec"]!["ports"]!.AsArray(), p => (string?)p!["name"] == "management");
        Assert.Empty(chart.OfKind("Pod"));
    }

    public static TheoryData<string> ExampleValuesFiles() => ValuesSchemaTests.ExampleValuesFiles();

    [Theory]
    [MemberData(nameof(ExampleValuesFiles))]
    public async Task ExampleValues_RenderToValidManifests(string file)
    {
        var chart = await HelmRenderer.RenderAsync(File.ReadAllText(Path.Combine(RepositoryLayout.Chart, "examples", file)));

        Assert.NotEmpty(chart.Manifests);
        Assert.All(chart.Manifests, m =>
        {
            Assert.False(string.IsNullOrEmpty((string?)m["apiVersion"]));
            Assert.False(string.IsNullOrEmpty((string?)m["metadata"]?["name"]));
        });
    }

    private static string Decode(JsonNode? base64) => Encoding.UTF8.GetString(Convert.FromBase64String((string)base64!));
}
