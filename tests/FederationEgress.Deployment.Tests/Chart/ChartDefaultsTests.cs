using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FederationEgress.Deployment.Tests.Infrastructure;

namespace FederationEgress.Deployment.Tests.Chart;

/// <summary>The chart's defaults agree with the app's defaults and the hardening the issue asks for.</summary>
public sealed class ChartDefaultsTests
{
    // App defaults (proxy.json and the options classes).
    private const int AppListenPort = 8009;
    private const int AppManagementPort = 8010;
    private const int AppSynapsePort = 8011;
    private const int AppConnectPort = 8012;
    private const int AppDrainTimeoutSeconds = 30;
    private const int ChiseledAppUid = 1654;

    private static readonly JsonObject Values = ValuesSchemaTests.DefaultValues();

    [Fact]
    public void ContainerPorts_MatchTheAppDefaults()
    {
        Assert.Equal(AppListenPort, (int)Values["containerPorts"]!["proxy"]!);
        Assert.Equal(AppManagementPort, (int)Values["containerPorts"]!["management"]!);
        Assert.Equal(AppSynapsePort, (int)Values["containerPorts"]!["synapse"]!);
        Assert.Equal(AppConnectPort, (int)Values["containerPorts"]!["connect"]!);
    }

    [Fact]
    public void ContainerPorts_MatchTheBakedProxyJson()
    {
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        var proxyJson = JsonNode.Parse(File.ReadAllText(RepositoryLayout.ProxyJson), documentOptions: options)!;

        Assert.Equal((int)proxyJson["Listen"]!["Port"]!, (int)Values["containerPorts"]!["proxy"]!);
        Assert.Equal((int)proxyJson["Management"]!["Port"]!, (int)Values["containerPorts"]!["management"]!);
    }

    [Fact]
    public void ServicePorts_DefaultToTheContainerPorts()
    {
        foreach (var name in new[] { "proxy", "management", "synapse", "connect" })
        {
            Assert.Equal((int)Values["containerPorts"]![name]!, (int)Values["service"]!["ports"]![name]!);
        }
    }

    [Fact]
    public void Probes_UseTheAppsHealthAndReadinessEndpoints()
    {
        Assert.Equal("/healthz", (string?)Values["livenessProbe"]!["path"]);
        Assert.Equal("/readyz", (string?)Values["readinessProbe"]!["path"]);
        Assert.True((bool)Values["livenessProbe"]!["enabled"]!);
        Assert.True((bool)Values["readinessProbe"]!["enabled"]!);
    }

    [Fact]
    public void ListenAddresses_BindAllInterfacesSoServiceAndProbesReachThePod()
    {
        Assert.Equal("0.0.0.0", (string?)Values["listenAddress"]);
        Assert.Equal("0.0.0.0", (string?)Values["managementAddress"]);
    }

    [Fact]
    public void Shutdown_DrainMatchesAppDefaultAndGraceCoversPreStopPlusDrain()
    {
        var shutdown = Values["shutdown"]!;

        Assert.Equal(AppDrainTimeoutSeconds, (int)shutdown["drainTimeoutSeconds"]!);
        Assert.True((int)shutdown["preStopSleepSeconds"]! > 0);
        // Null: computed as drain + preStop + margin (RenderedChartTests checks the arithmetic).
        Assert.Null(shutdown["terminationGracePeriodSeconds"]);
    }

    [Fact]
    public void SecurityContexts_AreRestrictedPodSecurityCompliant()
    {
        var pod = Values["podSecurityContext"]!;
        var container = Values["containerSecurityContext"]!;

        Assert.True((bool)pod["runAsNonRoot"]!);
        Assert.Equal(ChiseledAppUid, (int)pod["runAsUser"]!);
        Assert.Equal("RuntimeDefault", (string?)pod["seccompProfile"]!["type"]);
        Assert.True((bool)container["runAsNonRoot"]!);
        Assert.Equal(ChiseledAppUid, (int)container["runAsUser"]!);
        Assert.True((bool)container["readOnlyRootFilesystem"]!);
        Assert.False((bool)container["allowPrivilegeEscalation"]!);
        Assert.False((bool)container["privileged"]!);
        Assert.Equal(["ALL"], container["capabilities"]!["drop"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("RuntimeDefault", (string?)container["seccompProfile"]!["type"]);
        Assert.False((bool)Values["automountServiceAccountToken"]!);
    }

    [Fact]
    public void OptionalFeatures_AreOffByDefault()
    {
        Assert.Equal("Deployment", (string?)Values["kind"]);
        Assert.False((bool)Values["autoscaling"]!["enabled"]!);
        Assert.False((bool)Values["synapse"]!["enabled"]!);
        Assert.False((bool)Values["connect"]!["enabled"]!);
        Assert.True((bool)Values["pdb"]!["create"]!);
        Assert.True((bool)Values["networkPolicy"]!["enabled"]!);
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("172.20.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("127.0.0.1")]
    [InlineData("fd00::1")]
    [InlineData("fe80::1")]
    [InlineData("::1")]
    public void NetworkPolicyEgress_ExcludesClusterAndPrivateRanges(string address)
    {
        Assert.False(AllowedByInternetEgress(IPAddress.Parse(address)), $"{address} is reachable by default");
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("2001:4860:4860::8888")]
    public void NetworkPolicyEgress_AllowsPublicAddresses(string address)
    {
        Assert.True(AllowedByInternetEgress(IPAddress.Parse(address)));
    }

    private static bool AllowedByInternetEgress(IPAddress address) =>
        Values["networkPolicy"]!["egress"]!["internet"]!.AsArray().Any(block =>
            IPNetwork.Parse((string)block!["cidr"]!).Contains(address)
            && !(block["except"]?.AsArray() ?? []).Any(e => IPNetwork.Parse((string)e!).Contains(address)));
}
