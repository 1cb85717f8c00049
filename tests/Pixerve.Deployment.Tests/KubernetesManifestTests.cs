using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.AspNetCore.Routing;
using Orleans.Hosting.Kubernetes;
using YamlDotNet.RepresentationModel;
using static Pixerve.Testing.Deployment.KubernetesManifests;
using Pixerve.Testing.Deployment;
using Pixerve.Testing.Fixtures;
using Pixerve.Gateway.Hosting;
using Pixerve.Imaging.Inspection.Heif;
using Pixerve.ServiceDefaults;
using Pixerve.Silo.Metrics;
using Pixerve.Testing;

namespace Pixerve.Deployment.Tests;

/// <summary>
/// deploy/kubernetes and deploy/Dockerfile against the code and against the cluster's rules, since no cluster or
/// container engine runs here: the manifests parse, every variable they set is a key Pixerve reads, their ports and
/// probe paths are the ones the processes serve, their names, labels and selectors fit together; every pod meets
/// PodSecurity "restricted"; the NetworkPolicy admits each port only from whom it must; no secret value is in the
/// repository; cluster TLS is on with the mounted Secret's files; the gateway has no API access and the silos only
/// the verbs Orleans needs; the image has what the code loads, restores before copying sources, and is labelled.
/// </summary>
public sealed class KubernetesManifestTests
{
    /// <summary>The image's user and group (deploy/Dockerfile's USER), which every pod runs as.</summary>
    private const long AppUid = 1654;

    private const string MonitoringLabel = "pixerve.io/monitoring";

    private readonly KubernetesManifests _manifests = KubernetesManifests.Load();

    [Fact]
    public void Every_manifest_parses_names_its_kind_and_is_in_the_kustomization()
    {
        // deploy/kubernetes (Azure Storage) and each overlay render; every YAML file beside a kustomization it read is
        // one of its resources or patches, so none is left out of what is applied.
        Assert.Equal(["", "overlays/postgres", "overlays/redis"], Applied);
        var folders = new HashSet<string>();
        foreach (var manifests in Applied.Select(KubernetesManifests.Load))
        {
            Assert.All(manifests.Documents, d =>
            {
                Assert.False(string.IsNullOrEmpty(Text(d.Document, "apiVersion")), d.File);
                Assert.False(string.IsNullOrEmpty(Text(d.Document, "kind")), d.File);
                Assert.Equal("pixerve", Labels(d.Document, "metadata", "labels").GetValueOrDefault("app.kubernetes.io/name"));
            });
            foreach (var (folder, kustomization) in manifests.Kustomizations.Where(k => folders.Add(k.Folder)))
            {
                var listed = Strings(kustomization, "resources").Concat(Sequence(kustomization, "patches").Select(p => Text(p, "path")!))
                    .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
                var files = Directory.GetFiles(Path.Combine(Folder, folder), "*.yaml").Select(f => Path.GetFileName(f)).Where(f => f != "kustomization.yaml")
                    .Order(StringComparer.Ordinal).ToList<string>();
                Assert.True(files.SequenceEqual(listed), $"{folder}/kustomization.yaml names {string.Join(", ", listed)}; the folder holds {string.Join(", ", files)}");
            }
        }

        Assert.Equal(["", "base", "overlays/postgres", "overlays/redis"], folders.Order(StringComparer.Ordinal));
        Assert.All(OptionalDocuments(), d => Assert.Equal("pixerve", Labels(d.Document, "metadata", "labels").GetValueOrDefault("app.kubernetes.io/name")));
    }

    [Theory]
    [InlineData("", "pixerve-silo")]
    [InlineData("", "pixerve-gateway")]
    [InlineData("overlays/postgres", "pixerve-silo")]
    [InlineData("overlays/postgres", "pixerve-gateway")]
    [InlineData("overlays/redis", "pixerve-silo")]
    [InlineData("overlays/redis", "pixerve-gateway")]
    public void Every_variable_a_container_gets_is_a_key_pixerve_or_orleans_reads(string kustomization, string deployment)
    {
        var manifests = KubernetesManifests.Load(kustomization);
        var doc = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "operations.md"));
        var bound = BoundKeys();
        string[] orleans = [KubernetesHostingOptions.PodNameEnvironmentVariable, KubernetesHostingOptions.PodNamespaceEnvironmentVariable,
            KubernetesHostingOptions.PodIPEnvironmentVariable];
        foreach (var name in manifests.Environment(manifests.Container(deployment)).Keys)
        {
            var key = ConfigurationKey(name);
            if (name.StartsWith("Pixerve__", StringComparison.Ordinal))
            {
                Assert.True(bound.Contains(key) || ProviderKeys.Contains(key) || key == ClusterClientKey.ConfigurationKey,
                    $"{deployment}: {name} is no key an options class binds ({key})");
                Assert.True(doc.Contains($"`{key}`", StringComparison.Ordinal), $"{deployment}: {key} is not in docs/operations.md");
            }
            else if (orleans.Contains(name))
            {
                Assert.Equal("pixerve-silo", deployment);
            }
            else
            {
                // ASP.NET's own keys (Urls, Logging:…): named in docs/operations.md as the key or as the variable.
                Assert.True(doc.Contains($"`{key}", StringComparison.Ordinal) || doc.Contains(name, StringComparison.Ordinal),
                    $"{deployment}: {name} is neither a Pixerve key nor one docs/operations.md names");
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("overlays/postgres")]
    [InlineData("overlays/redis")]
    public void Every_secret_and_config_map_a_container_refers_to_exists_with_that_key(string kustomization)
    {
        var manifests = KubernetesManifests.Load(kustomization);
        foreach (var (workload, podSpec, _) in manifests.Workloads())
        {
            foreach (var container in AllContainers(podSpec))
            {
                foreach (var (variable, (secret, key)) in SecretVariables(container))
                    Assert.True(Mapping(manifests.Single("Secret", secret), "data").Children.ContainsKey(new YamlScalarNode(key)),
                        $"{workload}: {variable} takes {secret}/{key}, which the kustomization does not make");
                foreach (var from in Sequence(container, "envFrom"))
                    Assert.NotNull(manifests.Single("ConfigMap", Text(from, "configMapRef", "name")!));
            }
        }
    }

    [Fact]
    public void The_silo_ports_and_probes_are_the_configured_ones_and_the_paths_it_serves()
    {
        var container = _manifests.Container("pixerve-silo");
        var env = _manifests.Environment(container);
        var ports = ContainerPorts(container);
        Assert.Equal(env["Pixerve__Silo__Port"], ports["silo"]);
        Assert.Equal(env["Pixerve__Silo__GatewayPort"], ports["orleans-gateway"]);
        Assert.Equal(env["Pixerve__Metrics__Port"], ports["metrics"]);
        Assert.Equal(env["Pixerve__Metrics__ProbePort"], ports["probes"]);
        Assert.NotEqual(ports["metrics"], ports["probes"]);
        Assert.Equal("*", env["Pixerve__Metrics__Host"]);
        Assert.Equal(env["Pixerve__Metrics__Port"], Text(_manifests.Single("Deployment", "pixerve-silo"), "spec", "template", "metadata", "annotations", "prometheus.io/port"));

        Assert.Equal(SiloProbes.LivePath, Text(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal(SiloProbes.LivePath, Text(container, "startupProbe", "httpGet", "path"));
        Assert.Equal(SiloProbes.ReadyPath, Text(container, "readinessProbe", "httpGet", "path"));
        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
            Assert.Equal("probes", Text(container, probe, "httpGet", "port"));
        Assert.Equal(["silo"], Sequence(container, "args").Select(a => a.ToString()));
    }

    [Fact]
    public async Task The_gateway_ports_and_probes_are_its_configured_listeners_and_routes_it_maps()
    {
        var container = _manifests.Container("pixerve-gateway");
        var env = _manifests.Environment(container);
        var ports = ContainerPorts(container);
        var listening = Regex.Matches(env["Urls"]!, @":(\d+)(?=;|$)").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(ports.Values.ToHashSet(), listening);
        Assert.Equal(env["Pixerve__Gateway__ProbePort"], ports["probes"]);
        Assert.Equal(env["Pixerve__Gateway__MetricsPort"], ports["metrics"]);
        Assert.Equal(3, ports.Values.Distinct().Count());
        Assert.Equal(ports["metrics"], Text(_manifests.Single("Deployment", "pixerve-gateway"), "spec", "template", "metadata", "annotations", "prometheus.io/port"));
        Assert.Equal("http", Text(Sequence(_manifests.Single("Service", "pixerve-gateway"), "spec", "ports").Single(), "targetPort"));

        await using var app = GatewayApp.Build([$"--Pixerve:Jwt:Secret={PixerveFixture.JwtSecret}", "--urls=http://127.0.0.1:0", "--Pixerve:Cluster:Mode=localhost"]);
        var routes = ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText).ToHashSet();
        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
        {
            Assert.Contains(Text(container, probe, "httpGet", "path"), routes);
            Assert.Equal("probes", Text(container, probe, "httpGet", "port"));
        }

        Assert.Equal("/health/live", Text(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal("/health/ready", Text(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal(["gateway"], Sequence(container, "args").Select(a => a.ToString()));
    }

    [Fact]
    public void Silo_pods_carry_the_orleans_labels_of_the_configured_cluster()
    {
        var silo = _manifests.Single("Deployment", "pixerve-silo");
        var labels = Labels(silo, "spec", "template", "metadata", "labels");
        var env = _manifests.Environment(_manifests.Container("pixerve-silo"));
        Assert.Equal("kubernetes", env["Pixerve__Cluster__Mode"]);
        // The silo may not patch its pod (rbac.yaml): these must already be what Orleans would set.
        Assert.Equal(PixerveConfiguration.ServiceId, labels[KubernetesHostingOptions.ServiceIdLabel]);
        Assert.Equal(env["Pixerve__Cluster__Id"], labels[KubernetesHostingOptions.ClusterIdLabel]);
        Assert.Equal(env["Pixerve__Cluster__Id"], _manifests.Environment(_manifests.Container("pixerve-gateway"))["Pixerve__Cluster__Id"]);
    }

    [Fact]
    public void Selectors_match_their_pods_and_both_processes_mount_the_served_files()
    {
        var deployments = _manifests.OfKind("Deployment").ToList();
        foreach (var deployment in deployments)
        {
            var name = Text(deployment, "metadata", "name")!;
            var template = Labels(deployment, "spec", "template", "metadata", "labels");
            Assert.Superset(Labels(deployment, "spec", "selector", "matchLabels").ToHashSet(), template.ToHashSet());
            var serveDir = _manifests.Environment(_manifests.Container(name))["Pixerve__ServeDir"];
            var mount = Sequence(_manifests.Container(name), "volumeMounts").Single(m => Text(m, "mountPath") == serveDir);
            var volume = Sequence(deployment, "spec", "template", "spec", "volumes").Single(v => Text(v, "name") == Text(mount, "name"));
            Assert.NotNull(_manifests.Single("PersistentVolumeClaim", Text(volume, "persistentVolumeClaim", "claimName")!));
        }

        foreach (var selector in _manifests.OfKind("PodDisruptionBudget").Select(p => Labels(p, "spec", "selector", "matchLabels"))
                     .Append(Labels(_manifests.Single("Service", "pixerve-gateway"), "spec", "selector")))
        {
            Assert.Single(deployments, d => selector.All(l => Labels(d, "spec", "template", "metadata", "labels").GetValueOrDefault(l.Key) == l.Value));
        }
    }

    // ---- PodSecurity "restricted" (https://kubernetes.io/docs/concepts/security/pod-security-standards/) ----

    [Theory]
    [InlineData("")]
    [InlineData("overlays/postgres")]
    [InlineData("overlays/redis")]
    public void Every_pod_meets_pod_security_restricted_and_runs_on_a_read_only_root_as_the_images_user(string kustomization)
    {
        var manifests = KubernetesManifests.Load(kustomization);
        var workloads = manifests.Workloads().ToList();
        Assert.Equal(2, workloads.Count);
        foreach (var (workload, podSpec, podMetadata) in workloads)
        {
            var violations = RestrictedViolations(podSpec, podMetadata).ToList();
            Assert.True(violations.Count == 0, $"{workload} breaks PodSecurity restricted:\n  {string.Join("\n  ", violations)}");

            // Beyond the standard's either-or: set on the pod and on every container, so neither depends on the other.
            var pod = Mapping(podSpec, "securityContext");
            Assert.True(Text(pod, "runAsNonRoot") == "true", $"{workload}: the pod does not set runAsNonRoot");
            Assert.True(Text(pod, "seccompProfile", "type") is "RuntimeDefault" or "Localhost", $"{workload}: the pod sets no seccomp profile");
            Assert.Equal($"{AppUid}", Text(pod, "runAsUser"));
            Assert.Equal($"{AppUid}", Text(pod, "runAsGroup"));
            Assert.Equal($"{AppUid}", Text(pod, "fsGroup"));
            foreach (var container in AllContainers(podSpec))
            {
                var name = $"{workload}/{Text(container, "name")}";
                Assert.True(Text(container, "securityContext", "readOnlyRootFilesystem") == "true", $"{name}: readOnlyRootFilesystem is not true");
                Assert.True(Text(container, "securityContext", "runAsNonRoot") == "true", $"{name}: runAsNonRoot is not set on the container");
                Assert.True(Text(container, "securityContext", "seccompProfile", "type") is "RuntimeDefault" or "Localhost", $"{name}: the container sets no seccomp profile");
                Assert.Equal($"{AppUid}", Text(container, "securityContext", "runAsUser") ?? Text(pod, "runAsUser"));
                Assert.Equal($"{AppUid}", Text(container, "securityContext", "runAsGroup") ?? Text(pod, "runAsGroup"));
                // With a read-only root, what the process writes must be a volume: temporary files and the served files.
                var mounts = Sequence(container, "volumeMounts").ToDictionary(m => Text(m, "mountPath")!, m => Text(m, "name")!);
                var tmp = Sequence(podSpec, "volumes").SingleOrDefault(v => Text(v, "name") == mounts.GetValueOrDefault("/tmp"));
                Assert.True(tmp is not null && Node(tmp, "emptyDir") is not null, $"{name}: /tmp is not an emptyDir volume");
                Assert.Contains(manifests.Environment(container)["Pixerve__ServeDir"]!, mounts.Keys);
            }
        }
    }

    /// <summary>Every rule of the baseline and restricted PodSecurity levels that a pod spec can break.</summary>
    private static IEnumerable<string> RestrictedViolations(YamlMappingNode podSpec, YamlMappingNode podMetadata)
    {
        string[] allowedVolumes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
        string[] safeSysctls = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
            "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"];
        var pod = Mapping(podSpec, "securityContext");
        foreach (var host in new[] { "hostNetwork", "hostPID", "hostIPC" })
            if (Text(podSpec, host) == "true") yield return $"{host}: true";
        if (Text(pod, "windowsOptions", "hostProcess") == "true") yield return "pod windowsOptions.hostProcess";
        foreach (var volume in Sequence(podSpec, "volumes").Cast<YamlMappingNode>())
        {
            var types = volume.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Where(k => k != "name").ToList();
            if (types.Count != 1 || !allowedVolumes.Contains(types[0])) yield return $"volume {Text(volume, "name")}: type {string.Join(",", types)} (allowed: {string.Join(", ", allowedVolumes)})";
        }

        foreach (var sysctl in Sequence(pod, "sysctls"))
            if (!safeSysctls.Contains(Text(sysctl, "name"))) yield return $"sysctl {Text(sysctl, "name")}";
        if (Text(pod, "runAsUser") == "0") yield return "pod runAsUser 0";
        if (Text(pod, "seLinuxOptions", "user") is not null || Text(pod, "seLinuxOptions", "role") is not null) yield return "pod seLinuxOptions user/role";
        if (Text(pod, "seccompProfile", "type") is { } podSeccomp && podSeccomp is not ("RuntimeDefault" or "Localhost")) yield return $"pod seccomp {podSeccomp}";
        if (Text(pod, "appArmorProfile", "type") == "Unconfined") yield return "pod AppArmor Unconfined";
        foreach (var (key, value) in Labels(podMetadata, "annotations"))
            if (key.StartsWith("container.apparmor.security.beta.kubernetes.io/", StringComparison.Ordinal) && value == "unconfined") yield return $"annotation {key}";

        foreach (var container in AllContainers(podSpec))
        {
            var name = Text(container, "name");
            var context = Mapping(container, "securityContext");
            if (Text(context, "privileged") == "true") yield return $"{name}: privileged";
            if (Text(context, "windowsOptions", "hostProcess") == "true") yield return $"{name}: windowsOptions.hostProcess";
            if (Text(context, "allowPrivilegeEscalation") != "false") yield return $"{name}: allowPrivilegeEscalation is not false";
            if (!Strings(context, "capabilities", "drop").Contains("ALL")) yield return $"{name}: capabilities do not drop ALL";
            foreach (var added in Strings(context, "capabilities", "add").Where(c => c != "NET_BIND_SERVICE")) yield return $"{name}: adds capability {added}";
            var seccomp = Text(context, "seccompProfile", "type") ?? Text(pod, "seccompProfile", "type");
            if (seccomp is not ("RuntimeDefault" or "Localhost")) yield return $"{name}: seccomp profile {seccomp ?? "unset"} (RuntimeDefault or Localhost)";
            if (Text(context, "runAsNonRoot") == "false" || (Text(context, "runAsNonRoot") ?? Text(pod, "runAsNonRoot")) != "true") yield return $"{name}: runAsNonRoot is not true";
            if (Text(context, "runAsUser") == "0") yield return $"{name}: runAsUser 0";
            if (Text(context, "procMount") is { } procMount && procMount != "Default") yield return $"{name}: procMount {procMount}";
            if (Text(context, "appArmorProfile", "type") == "Unconfined") yield return $"{name}: AppArmor Unconfined";
            if (Text(context, "seLinuxOptions", "user") is not null || Text(context, "seLinuxOptions", "role") is not null) yield return $"{name}: seLinuxOptions user/role";
            foreach (var port in Sequence(container, "ports"))
                if (Text(port, "hostPort") is { } hostPort && hostPort != "0") yield return $"{name}: hostPort {hostPort}";
        }
    }

    // ---- NetworkPolicy ----

    [Fact]
    public void The_network_policy_admits_orleans_ports_only_from_silos_and_gateways_metrics_only_from_monitoring_and_http_from_anyone()
    {
        var silo = _manifests.Single("Deployment", "pixerve-silo");
        var gateway = _manifests.Single("Deployment", "pixerve-gateway");
        var siloSelector = Labels(silo, "spec", "selector", "matchLabels");
        var gatewaySelector = Labels(gateway, "spec", "selector", "matchLabels");
        var siloEnv = _manifests.Environment(_manifests.Container("pixerve-silo"));
        var siloPort = int.Parse(siloEnv["Pixerve__Silo__Port"]!);
        var orleansGatewayPort = int.Parse(siloEnv["Pixerve__Silo__GatewayPort"]!);

        var siloRules = IngressRules(silo);
        var gatewayRules = IngressRules(gateway);
        foreach (var (deployment, rules) in new[] { ("pixerve-silo", siloRules), ("pixerve-gateway", gatewayRules) })
        {
            Assert.True(rules is not null, $"no NetworkPolicy isolates {deployment}'s pods for ingress");
            // A rule without ports opens every port, the probes' too.
            Assert.All(rules!, r => Assert.True(r.Ports is not null, $"{deployment}: a rule admits every port"));
            var ports = ContainerPortNumbers(_manifests.Container(deployment));
            // The probes: only the kubelet, from the node, which NetworkPolicy always admits; no pod.
            Assert.DoesNotContain(rules!, r => r.Ports!.Contains(ports["probes"]));
            // Metrics: pods of namespaces labelled for monitoring, no one else.
            Assert.Contains(rules!, r => r.Ports!.Contains(ports["metrics"]));
            foreach (var rule in rules!.Where(r => r.Ports!.Contains(ports["metrics"])))
            {
                Assert.True(rule.From is { Count: > 0 }, $"{deployment}: metrics admitted from anywhere");
                Assert.All(rule.From!, peer =>
                {
                    Assert.Null(Node(peer, "ipBlock"));
                    Assert.Equal(new Dictionary<string, string> { [MonitoringLabel] = "true" }, Labels(peer, "namespaceSelector", "matchLabels"));
                    Assert.Null(Node(peer, "namespaceSelector", "matchExpressions"));
                });
            }
        }

        // 11111 and 30000: from the silo and gateway pods of this namespace only (silo-to-silo from silos, clients
        // from gateways), and they must be admitted or the cluster does not form.
        foreach (var (port, admitted) in new[] { (siloPort, siloSelector), (orleansGatewayPort, gatewaySelector) })
        {
            var rules = siloRules!.Where(r => r.Ports!.Contains(port)).ToList();
            Assert.NotEmpty(rules);
            foreach (var rule in rules)
            {
                Assert.True(rule.From is { Count: > 0 }, $"port {port} admitted from anywhere");
                Assert.All(rule.From!, peer =>
                {
                    Assert.Null(Node(peer, "ipBlock"));
                    Assert.Null(Node(peer, "namespaceSelector"));
                    Assert.Null(Node(peer, "podSelector", "matchExpressions"));
                    var selector = Labels(peer, "podSelector", "matchLabels");
                    Assert.True(selector.Count > 0 && (Same(selector, siloSelector) || Same(selector, gatewaySelector)),
                        $"port {port} admitted from pods other than silos and gateways: {string.Join(",", selector)}");
                });
            }

            Assert.Contains(rules, r => r.From!.Any(peer => Same(Labels(peer, "podSelector", "matchLabels"), admitted)));
        }

        // The API: from anyone, and nothing else is.
        var http = ContainerPortNumbers(_manifests.Container("pixerve-gateway"))["http"];
        Assert.Contains(gatewayRules!, r => r.From is null && r.Ports!.SetEquals([http]));
        Assert.All(siloRules!.Concat(gatewayRules!).Where(r => r.From is null or { Count: 0 }), r => Assert.True(r.Ports!.SetEquals([http]), "a port other than the API's is open to anyone"));
        Assert.DoesNotContain(siloRules!, r => r.From is null or { Count: 0 });

        var operations = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "operations.md"));
        Assert.Contains($"{MonitoringLabel}=true", operations);

        static bool Same(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) => a.Count == b.Count && a.All(p => b.GetValueOrDefault(p.Key) == p.Value);
    }

    /// <summary>
    /// The ingress rules of every NetworkPolicy selecting the Deployment's pods, ports resolved to numbers (null: all
    /// ports) and peers (null: anyone); null when no policy isolates the pods for ingress.
    /// </summary>
    private List<(HashSet<int>? Ports, IReadOnlyList<YamlNode>? From)>? IngressRules(YamlMappingNode deployment)
    {
        var labels = Labels(deployment, "spec", "template", "metadata", "labels");
        var ports = ContainerPortNumbers((YamlMappingNode)Sequence(deployment, "spec", "template", "spec", "containers").Single());
        var policies = _manifests.OfKind("NetworkPolicy").Where(p =>
        {
            Assert.Null(Node(p, "spec", "podSelector", "matchExpressions"));
            return Labels(p, "spec", "podSelector", "matchLabels").All(l => labels.GetValueOrDefault(l.Key) == l.Value);
        }).Where(p => Strings(p, "spec", "policyTypes") is var types && (types.Count == 0 || types.Contains("Ingress"))).ToList();
        if (policies.Count == 0) return null;
        return policies.SelectMany(p => Sequence(p, "spec", "ingress")).Select(rule =>
        {
            HashSet<int>? numbers = Node(rule, "ports") is null
                ? null
                : Sequence(rule, "ports").Select(p =>
                {
                    Assert.Null(Text(p, "endPort"));
                    var port = Text(p, "port") ?? throw new InvalidDataException("a NetworkPolicy port entry without a port opens every port");
                    return int.TryParse(port, out var number) ? number : ports[port];
                }).ToHashSet();
            IReadOnlyList<YamlNode>? from = Node(rule, "from") is null ? null : Sequence(rule, "from");
            return (numbers, from);
        }).ToList();
    }

    // ---- Secrets ----

    [Fact]
    public void No_secret_value_is_in_the_repository_and_the_generator_reads_only_ignored_untracked_files()
    {
        // Whatever is applied (deploy/kubernetes or an overlay): no Secret it renders carries a value (the generated
        // ones take theirs from files), and every file a secretGenerator of any kustomization it reads is untracked,
        // ignored and kept out of the image's build context.
        var renderings = Applied.Select(KubernetesManifests.Load).ToList();
        foreach (var (file, secret) in renderings.SelectMany(m => m.Documents).Concat(OptionalDocuments()).Where(d => Text(d.Document, "kind") == "Secret"))
        {
            foreach (var section in new[] { "data", "stringData" })
                Assert.All(Mapping(secret, section).Children, c => Assert.True(string.IsNullOrEmpty(((YamlScalarNode)c.Value).Value),
                    $"{file}: Secret {Text(secret, "metadata", "name")} holds a value for {c.Key}"));
        }

        var generators = renderings.SelectMany(m => m.SecretGenerators).DistinctBy(g => g.Generator).ToList();
        Assert.All(renderings, m => Assert.Contains(m.SecretGenerators, g => g.Folder == m.Kustomizations[^1].Folder));
        var tracked = Git("ls-files", "--", "deploy/kubernetes").Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var paths = new List<string>();
        foreach (var (folder, generator) in generators)
        {
            Assert.Empty(Sequence(generator, "literals"));
            var files = GeneratorFiles(generator).ToList();
            Assert.NotEmpty(files);
            foreach (var file in files)
            {
                var path = string.Join('/', new[] { "deploy/kubernetes", folder, file }.Where(p => p.Length > 0));
                paths.Add(path);
                Assert.DoesNotContain(path, tracked);
                Assert.True(GitIgnores(path), $"{path} (a secretGenerator source) is not ignored by git");
            }
        }

        // A secret written there never reaches an image's build context either.
        var dockerignore = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "deploy", "Dockerfile.dockerignore"));
        foreach (var directory in paths.Select(p => Path.GetDirectoryName(p)!.Replace('\\', '/')).Distinct())
            Assert.Contains($"{directory}/", dockerignore);

        // No placeholder that a careless apply would turn into a working secret, anywhere in the deployment or its docs.
        var scanned = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "deploy"), "*", SearchOption.AllDirectories)
            .Where(f => tracked.Contains(Path.GetRelativePath(RepositoryPaths.Root, f).Replace('\\', '/')) || !f.Contains($"{Path.DirectorySeparatorChar}secrets{Path.DirectorySeparatorChar}"))
            .Append(Path.Combine(RepositoryPaths.Root, "README.md"))
            .Append(Path.Combine(RepositoryPaths.Root, "docs", "operations.md"));
        foreach (var file in scanned)
            Assert.False(File.ReadAllText(file).Contains("REPLACE", StringComparison.Ordinal), $"{file} holds a REPLACE… placeholder");
    }

    // ---- Providers: deploy/kubernetes on Azure Storage, an overlay for each other ----

    /// <summary>
    /// The cluster and staging providers' keys the overlays set (docs/operations.md, "Kubernetes"): bound by those
    /// providers' options classes, accepted beside the keys <see cref="BoundKeys"/> finds.
    /// </summary>
    private static readonly HashSet<string> ProviderKeys =
    [
        "Pixerve:Cluster:Postgres:ConnectionString", "Pixerve:Cluster:Redis:ConnectionString", "Pixerve:Staging:Provider",
        "Pixerve:Staging:S3:Bucket", "Pixerve:Staging:S3:Prefix", "Pixerve:Staging:S3:Region", "Pixerve:Staging:S3:ServiceUrl",
        "Pixerve:Staging:S3:ForcePathStyle", "Pixerve:Staging:S3:AccessKeyId", "Pixerve:Staging:S3:SecretAccessKey",
        "Pixerve:Staging:Filesystem:Root",
    ];

    [Fact]
    public void Deploy_kubernetes_renders_the_azure_deployment_it_rendered_before_the_overlays()
    {
        // The objects kustomize rendered from the single Azure kustomization, compared with this rendering of the base
        // and the Azure patch: same objects, same fields, same order of every list (env included).
        var before = LoadFile(Path.Combine(RepositoryPaths.Root, "tests", "Pixerve.Deployment.Tests", "azure-rendering.yaml"));
        AssertSameObjects(before, _manifests.Documents.Select(d => d.Document), "the rendering before the overlays", "this rendering");

        // Where kubectl is installed, kustomize itself renders each kustomization (secret files written with stand-in
        // values in a copy): the Azure one must be the one before, and each the one these tests check.
        if (Kubectl() is not { } kubectl) return;
        foreach (var kustomization in Applied)
        {
            var rendered = KubectlKustomize(kubectl, kustomization);
            if (kustomization.Length == 0) AssertSameObjects(before, rendered, "the rendering before the overlays", "kubectl kustomize deploy/kubernetes");
            AssertSameObjects(rendered, KubernetesManifests.Load(kustomization).Documents.Select(d => d.Document), $"kubectl kustomize deploy/kubernetes/{kustomization}", "this rendering");
        }
    }

    [Theory]
    [InlineData("overlays/postgres", ClusterProvider.Postgres, "s3")]
    [InlineData("overlays/redis", ClusterProvider.Redis, "filesystem")]
    public void Each_overlay_gives_silos_and_gateways_every_setting_of_its_cluster_and_staging_providers(string kustomization, ClusterProvider cluster, string staging)
    {
        var manifests = KubernetesManifests.Load(kustomization);
        // A provider's secrets come from files the overlay itself reads (its secrets folder), not the base's.
        var own = manifests.SecretGenerators.Where(g => g.Folder == kustomization)
            .SelectMany(g => GeneratedKeys(g.Generator).Select(k => (Text(g.Generator, "name")!, k))).ToHashSet();
        foreach (var deployment in new[] { "pixerve-silo", "pixerve-gateway" })
        {
            var container = manifests.Container(deployment);
            var env = manifests.Environment(container);
            var secrets = SecretVariables(container);
            void FromOwnSecret(string variable) => Assert.True(secrets.TryGetValue(variable, out var source) && own.Contains(source),
                $"{kustomization} {deployment}: {variable} is not read from a Secret key {kustomization}/kustomization.yaml generates");
            void Set(string variable) => Assert.False(string.IsNullOrEmpty(env.GetValueOrDefault(variable)), $"{kustomization} {deployment}: {variable} is not set");

            // Mode kubernetes on any provider: the provider's membership table plus Orleans' Kubernetes integration.
            Assert.Equal("kubernetes", env["Pixerve__Cluster__Mode"]);
            Assert.Equal(cluster, Enum.Parse<ClusterProvider>(env.GetValueOrDefault("Pixerve__Cluster__Provider") ?? "", ignoreCase: true));
            FromOwnSecret($"Pixerve__Cluster__{cluster}__ConnectionString");
            // No storage connection string to derive the cluster client key from: without one of its own it would be
            // the development default's, which anyone can compute.
            FromOwnSecret(ConfigurationVariable(ClusterClientKey.ConfigurationKey));
            Assert.Equal(staging, env.GetValueOrDefault("Pixerve__Staging__Provider"));
            switch (staging)
            {
                case "s3":
                    Set("Pixerve__Staging__S3__Bucket");
                    Set("Pixerve__Staging__S3__Prefix");
                    Set("Pixerve__Staging__S3__Region");
                    FromOwnSecret("Pixerve__Staging__S3__AccessKeyId");
                    FromOwnSecret("Pixerve__Staging__S3__SecretAccessKey");
                    // For a store other than AWS S3; an empty value would override the default with nothing.
                    foreach (var optional in new[] { "Pixerve__Staging__S3__ServiceUrl", "Pixerve__Staging__S3__ForcePathStyle" }.Where(env.ContainsKey))
                        Set(optional);
                    break;
                case "filesystem":
                    // One volume every silo and gateway writes: a ReadWriteMany claim of its own, mounted read-write at
                    // the root, outside the served files (a gateway would serve a staged upload).
                    var root = env["Pixerve__Staging__Filesystem__Root"]!;
                    var mount = Sequence(container, "volumeMounts").SingleOrDefault(m => Text(m, "mountPath") == root);
                    Assert.True(mount is not null, $"{kustomization} {deployment}: nothing is mounted at the staging root {root}");
                    Assert.True(Text(mount!, "readOnly") != "true", $"{kustomization} {deployment}: the staging root {root} is mounted read-only");
                    Assert.Null(Text(mount!, "subPath"));
                    var volume = Sequence(manifests.PodSpec(deployment), "volumes").Single(v => Text(v, "name") == Text(mount!, "name"));
                    var claim = manifests.Single("PersistentVolumeClaim", Text(volume, "persistentVolumeClaim", "claimName")!);
                    Assert.Contains("ReadWriteMany", Strings(claim, "spec", "accessModes"));
                    var serveDir = env["Pixerve__ServeDir"]!.TrimEnd('/') + "/";
                    Assert.False((root.TrimEnd('/') + "/").StartsWith(serveDir, StringComparison.Ordinal) || serveDir.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal),
                        $"{kustomization}: the staging root {root} and the served files {serveDir} overlap");
                    break;
                default:
                    Assert.Fail($"no check for staging provider {staging}");
                    break;
            }
        }
    }

    [Theory]
    [InlineData("overlays/postgres")]
    [InlineData("overlays/redis")]
    public void An_overlay_off_azure_carries_no_storage_connection_string_and_no_secret_key_for_it(string kustomization)
    {
        // The keys only the Azure deployment adds to the base's Secrets (the storage connection string).
        var azure = KubernetesManifests.Load();
        var azureOnly = azure.SecretGenerators.Where(g => g.Folder != "base").SelectMany(g => GeneratedKeys(g.Generator)).ToHashSet();
        Assert.NotEmpty(azureOnly);

        var manifests = KubernetesManifests.Load(kustomization);
        foreach (var (workload, podSpec, _) in manifests.Workloads())
        foreach (var container in AllContainers(podSpec))
        {
            var env = manifests.Environment(container);
            Assert.False(env.ContainsKey("Pixerve__Storage__ConnectionString"), $"{kustomization} {workload}: sets Pixerve__Storage__ConnectionString");
            Assert.DoesNotContain(SecretVariables(container).Values, v => azureOnly.Contains(v.Key));
            Assert.NotEqual("azure", env.GetValueOrDefault("Pixerve__Cluster__Provider") ?? "azure");
            Assert.NotEqual("azure-blob", env.GetValueOrDefault("Pixerve__Staging__Provider") ?? "azure-blob");
        }

        foreach (var secret in manifests.OfKind("Secret"))
        {
            var keys = Mapping(secret, "data").Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList();
            Assert.True(!keys.Intersect(azureOnly).Any(), $"{kustomization}: Secret {Text(secret, "metadata", "name")} has a key for the storage account ({string.Join(", ", keys.Intersect(azureOnly))})");
        }

        Assert.DoesNotContain(manifests.SecretGenerators.SelectMany(g => GeneratorFiles(g.Generator)), f => azure.SecretGenerators.Where(g => g.Folder != "base").SelectMany(g => GeneratorFiles(g.Generator)).Any(a => Path.GetFileName(a) == Path.GetFileName(f)));
    }

    /// <summary>The same objects (by kind and name, in any order), each with the same fields and lists in the same order.</summary>
    private static void AssertSameObjects(IEnumerable<YamlMappingNode> expected, IEnumerable<YamlMappingNode> actual, string expectedName, string actualName)
    {
        static Dictionary<string, string> Objects(IEnumerable<YamlMappingNode> documents) =>
            documents.ToDictionary(d => $"{Text(d, "kind")}/{Text(d, "metadata", "name")}", d => Canonical(d, Text(d, "kind") == "Secret"));
        var before = Objects(expected.Select(StripHashSuffixes));
        var after = Objects(actual.Select(StripHashSuffixes));
        Assert.True(before.Keys.Order().SequenceEqual(after.Keys.Order()), $"{expectedName}: {string.Join(", ", before.Keys.Order())}\n{actualName}: {string.Join(", ", after.Keys.Order())}");
        foreach (var (name, canonical) in before)
            Assert.True(canonical == after[name], $"{name} differs:\n{expectedName}: {canonical}\n{actualName}: {after[name]}");
    }

    /// <summary>A node as text: mappings with their keys sorted, lists in order, YAML 1.1 octal numbers as decimal (kustomize writes 0440 as 288), Secret data values dropped.</summary>
    private static string Canonical(YamlNode node, bool secret, string? key = null) => node switch
    {
        YamlMappingNode mapping => "{" + string.Join(",", mapping.Children.Select(c => (Key: ((YamlScalarNode)c.Key).Value!, c.Value)).OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => $"{c.Key}:{(secret && key is null && c.Key is "data" or "stringData" ? Keys(c.Value) : Canonical(c.Value, secret, c.Key))}")) + "}",
        YamlSequenceNode sequence => "[" + string.Join(",", sequence.Children.Select(c => Canonical(c, secret, key))) + "]",
        YamlScalarNode { Value: { } value } when Regex.IsMatch(value, "^0[0-7]+$") => System.Text.Json.JsonSerializer.Serialize(Convert.ToInt32(value, 8).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        YamlScalarNode scalar => System.Text.Json.JsonSerializer.Serialize(scalar.Value ?? ""),
        _ => throw new InvalidDataException($"unexpected node {node}"),
    };

    private static string Keys(YamlNode mapping) =>
        "{" + string.Join(",", ((YamlMappingNode)mapping).Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Order(StringComparer.Ordinal)) + "}";

    /// <summary>The document with kustomize's hash suffix (a dash and 10 letters or digits) taken off the names of pixerve-secrets.</summary>
    private static YamlMappingNode StripHashSuffixes(YamlMappingNode document)
    {
        var stream = new YamlStream(new YamlDocument(document));
        var text = new StringWriter();
        stream.Save(text, assignAnchors: false);
        var stripped = Regex.Replace(text.ToString(), @"\bpixerve-secrets-[a-z0-9]{10}\b", "pixerve-secrets");
        var reread = new YamlStream();
        reread.Load(new StringReader(stripped));
        return (YamlMappingNode)reread.Documents.Single().RootNode;
    }

    private static string? Kubectl() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists);

    /// <summary>kubectl kustomize on a copy of deploy/kubernetes in which every secret file holds a stand-in value.</summary>
    private static IReadOnlyList<YamlMappingNode> KubectlKustomize(string kubectl, string kustomization)
    {
        var copy = Directory.CreateTempSubdirectory("pixerve-kustomize-");
        try
        {
            // The files git keeps or would keep: never an operator's secret file (ignored).
            foreach (var file in Git("ls-files", "--cached", "--others", "--exclude-standard", "--", "deploy/kubernetes").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var target = Path.Combine(copy.FullName, Path.GetRelativePath("deploy/kubernetes", file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(Path.Combine(RepositoryPaths.Root, file), target);
            }

            foreach (var (folder, generator) in KubernetesManifests.Load(kustomization).SecretGenerators)
            foreach (var file in GeneratorFiles(generator))
            {
                var target = Path.Combine(copy.FullName, folder, file);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.WriteAllText(target, $"stand-in {file}");
            }

            var start = new ProcessStartInfo(kubectl) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "kustomize", Path.Combine(copy.FullName, kustomization) }) start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "kubectl kustomize did not finish within a minute");
            Assert.True(process.ExitCode == 0, $"kubectl kustomize {kustomization}: {error.Result}");
            var stream = new YamlStream();
            stream.Load(new StringReader(output));
            return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    // ---- Cluster TLS ----

    [Fact]
    public void Cluster_tls_is_on_for_silos_and_gateways_with_the_files_of_the_mounted_secret()
    {
        var bound = BoundKeys();
        const string tls = "Pixerve__Cluster__Tls__";
        string? secretName = null;
        foreach (var deployment in new[] { "pixerve-silo", "pixerve-gateway" })
        {
            var container = _manifests.Container(deployment);
            var env = _manifests.Environment(container);
            Assert.Equal("true", env[$"{tls}Enabled"]);
            foreach (var name in env.Keys.Where(k => k.StartsWith(tls, StringComparison.Ordinal)))
                Assert.True(bound.Contains(ConfigurationKey(name)), $"{deployment}: {name} is no key the code binds");

            // The certificate, its CA and the allowed subjects, the way a process without pinned thumbprints needs them.
            Assert.False(string.IsNullOrEmpty(env.GetValueOrDefault($"{tls}AllowedSubjects__0")), $"{deployment}: no allowed subject");
            Assert.DoesNotContain(env.Keys, k => k.StartsWith($"{tls}AllowInsecure", StringComparison.Ordinal));
            foreach (var file in new[] { "CertificatePath", "CaCertificatePath" })
            {
                var path = env[$"{tls}{file}"]!;
                var (secret, key) = MountedSecretFile(deployment, path);
                Assert.True(secret is not null, $"{deployment}: {tls}{file}={path} is not a file of a read-only Secret mount");
                secretName ??= secret;
                Assert.Equal(secretName, secret);
                Assert.Equal(file == "CertificatePath" ? "keystore.p12" : "ca.crt", key);
            }

            var password = SecretVariables(container)[$"{tls}CertificatePassword"];
            Assert.Equal(("pixerve-cluster-tls-password", "password"), password);
        }

        // The optional cert-manager example makes exactly that Secret, for the names the processes allow, with the
        // password the pods read; the password Secret keeps its name (no hash suffix) so the Certificate finds it.
        var optional = OptionalDocuments().Where(d => d.File == "optional/cluster-tls-cert-manager.yaml").Select(d => d.Document).ToList();
        var certificate = optional.Single(d => Text(d, "kind") == "Certificate" && Text(d, "spec", "secretName") == secretName);
        var subjects = _manifests.Environment(_manifests.Container("pixerve-silo")).Where(v => v.Key.StartsWith($"{tls}AllowedSubjects__", StringComparison.Ordinal)).Select(v => v.Value).ToList();
        var presented = Strings(certificate, "spec", "dnsNames").Append(Text(certificate, "spec", "commonName")).ToHashSet();
        Assert.NotEmpty(subjects);
        Assert.All(subjects, s => Assert.Contains(s, presented));
        Assert.Superset(new HashSet<string> { "server auth", "client auth" }, Strings(certificate, "spec", "usages").ToHashSet());
        Assert.Equal("true", Text(certificate, "spec", "keystores", "pkcs12", "create"));
        Assert.Equal("pixerve-cluster-tls-password", Text(certificate, "spec", "keystores", "pkcs12", "passwordSecretRef", "name"));
        Assert.Equal("password", Text(certificate, "spec", "keystores", "pkcs12", "passwordSecretRef", "key"));
        var passwordGenerator = _manifests.SecretGenerators.Select(g => g.Generator).Single(g => Text(g, "name") == "pixerve-cluster-tls-password");
        Assert.Equal("true", Text(passwordGenerator, "options", "disableNameSuffixHash"));
        // Its issuer is a CA issuer whose CA certificate is one.
        var issuer = optional.Single(d => Text(d, "kind") == "Issuer" && Text(d, "metadata", "name") == Text(certificate, "spec", "issuerRef", "name"));
        var ca = optional.Single(d => Text(d, "kind") == "Certificate" && Text(d, "spec", "secretName") == Text(issuer, "spec", "ca", "secretName"));
        Assert.Equal("true", Text(ca, "spec", "isCA"));
        // It needs cert-manager's CRDs: not among the default resources.
        Assert.DoesNotContain(_manifests.Documents, d => Text(d.Document, "apiVersion")!.StartsWith("cert-manager.io/", StringComparison.Ordinal));
    }

    /// <summary>The Secret and key behind <paramref name="path"/> in the Deployment's container, when it is a read-only Secret mount's file.</summary>
    private (string? Secret, string? Key) MountedSecretFile(string deployment, string path)
    {
        var podSpec = _manifests.PodSpec(deployment);
        foreach (var mount in Sequence(_manifests.Container(deployment), "volumeMounts"))
        {
            var directory = Text(mount, "mountPath")!.TrimEnd('/') + "/";
            if (!path.StartsWith(directory, StringComparison.Ordinal) || Text(mount, "readOnly") != "true" || Text(mount, "subPath") is not null) continue;
            var volume = Sequence(podSpec, "volumes").Single(v => Text(v, "name") == Text(mount, "name"));
            if (Node(volume, "secret") is not { } secret) continue;
            var file = path[directory.Length..];
            var items = Sequence(secret, "items");
            var key = items.Count == 0 ? file : items.Where(i => Text(i, "path") == file).Select(i => Text(i, "key")).SingleOrDefault();
            if (key is not null) return (Text(secret, "secretName"), key);
        }

        return (null, null);
    }

    // ---- RBAC ----

    [Fact]
    public void The_gateway_has_no_api_access_and_the_silo_role_has_only_the_documented_pod_verbs()
    {
        // Gateways: an account of their own, bound to nothing, and no token in the pod.
        var gatewayPod = _manifests.PodSpec("pixerve-gateway");
        var gatewayAccount = Text(gatewayPod, "serviceAccountName");
        Assert.False(string.IsNullOrEmpty(gatewayAccount));
        Assert.Equal("false", Text(gatewayPod, "automountServiceAccountToken"));
        Assert.Equal("false", Text(_manifests.Single("ServiceAccount", gatewayAccount!), "automountServiceAccountToken"));
        var bindings = _manifests.OfKind("RoleBinding").Concat(_manifests.OfKind("ClusterRoleBinding")).ToList();
        Assert.DoesNotContain(bindings, b => Sequence(b, "subjects").Any(s => Text(s, "name") is { } name && (name == gatewayAccount || name == "default")));

        // Silos: the API through their account (Orleans' Kubernetes integration), one Role on pods.
        var siloPod = _manifests.PodSpec("pixerve-silo");
        var siloAccount = Text(siloPod, "serviceAccountName")!;
        Assert.NotNull(_manifests.Single("ServiceAccount", siloAccount));
        Assert.NotEqual("false", Text(siloPod, "automountServiceAccountToken"));
        Assert.Empty(_manifests.OfKind("ClusterRole"));
        Assert.Empty(_manifests.OfKind("ClusterRoleBinding"));
        var binding = Assert.Single(bindings);
        Assert.Equal([siloAccount], Sequence(binding, "subjects").Select(s => Text(s, "name")));
        Assert.Equal("Role", Text(binding, "roleRef", "kind"));
        var role = _manifests.Single("Role", Text(binding, "roleRef", "name")!);
        var rule = Assert.Single(Sequence(role, "rules"));
        Assert.Equal([""], Strings(rule, "apiGroups"));
        Assert.Equal(["pods"], Strings(rule, "resources"));
        Assert.Empty(Sequence(rule, "resourceNames"));
        var verbs = Strings(rule, "verbs").ToHashSet();
        // Each verb is explained in rbac.yaml ("#   verb: why"), and they are the ones Orleans' integration calls.
        var documented = Regex.Matches(File.ReadAllText(Path.Combine(Folder, "base", "rbac.yaml")), @"(?m)^#\s+([a-z]+):\s").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(documented, verbs);
        Assert.Subset(new HashSet<string> { "get", "list", "watch", "delete" }, verbs);

        // The optional admission policy narrows delete to the pods that carry the silos' labels, for that account.
        var policy = OptionalDocuments().Single(d => Text(d.Document, "kind") == "ValidatingAdmissionPolicy").Document;
        var labels = Labels(_manifests.Single("Deployment", "pixerve-silo"), "spec", "template", "metadata", "labels");
        Assert.Contains($":{siloAccount}'", Text(Sequence(policy, "spec", "matchConditions").Single(), "expression"));
        var validation = Text(Sequence(policy, "spec", "validations").Single(), "expression")!;
        Assert.Contains($"['{KubernetesHostingOptions.ServiceIdLabel}'] == '{labels[KubernetesHostingOptions.ServiceIdLabel]}'", validation);
        var policyBinding = OptionalDocuments().Single(d => Text(d.Document, "kind") == "ValidatingAdmissionPolicyBinding").Document;
        Assert.Equal(Text(policy, "metadata", "name"), Text(policyBinding, "spec", "policyName"));
        Assert.Equal(["Deny"], Strings(policyBinding, "spec", "validationActions"));
    }

    // ---- The image ----

    [Fact]
    public void The_dockerfile_exposes_every_container_port_and_defaults_to_the_manifests_settings()
    {
        var dockerfile = Dockerfile();
        var exposed = Regex.Match(dockerfile.Text, @"^EXPOSE (.+)$", RegexOptions.Multiline).Groups[1].Value.Split(' ').ToHashSet();
        var defaults = dockerfile.Environment();
        foreach (var deployment in new[] { "pixerve-silo", "pixerve-gateway" })
        {
            var container = _manifests.Container(deployment);
            Assert.Superset(ContainerPorts(container).Values.ToHashSet(), exposed);
            foreach (var (name, value) in _manifests.Environment(container).Where(v => defaults.ContainsKey(v.Key)))
                Assert.Equal(value, defaults[name]);
        }

        Assert.Contains("ENTRYPOINT [\"/app/entrypoint.sh\"]", dockerfile.Text);
        // libvips under glibc's default of 8 arenas per core keeps a third more memory resident (docs/operations.md).
        Assert.Equal("2", defaults["MALLOC_ARENA_MAX"]);
        Assert.Contains("deploy/publish.sh /app", dockerfile.Text);
    }

    [Fact]
    public void The_image_installs_what_heif_support_loads_restores_before_the_sources_is_labelled_and_runs_unprivileged()
    {
        var dockerfile = Dockerfile();
        var runtime = dockerfile.Stages[^1];
        var packages = Regex.Matches(runtime, @"apt-get install (?<args>[^&;\n]+)").SelectMany(m => m.Groups["args"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(a => !a.StartsWith('-')).ToHashSet();

        // The libraries HeifSupport's P/Invokes load (read from the code), by their Debian/Ubuntu package names, and
        // the HEVC decoder it requires: libheif's plugin for it and the decoder's own library.
        var libraries = typeof(HeifSupport).Assembly.GetTypes().Where(t => t.Namespace == typeof(HeifSupport).Namespace)
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Select(m => m.GetCustomAttribute<DllImportAttribute>()?.Value).OfType<string>().ToHashSet();
        Assert.NotEmpty(libraries);
        foreach (var library in libraries)
            Assert.True(packages.Contains(DebianPackage(library)), $"the runtime stage does not install {DebianPackage(library)} ({library}): {string.Join(" ", packages)}");
        var heifSupport = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", "Pixerve.Imaging.Inspection", "Heif", "HeifSupport.cs"));
        var decoder = Regex.Match(heifSupport, @"no HEVC decoder \((lib[a-z0-9]+)\)").Groups[1].Value;
        Assert.NotEmpty(decoder);
        Assert.Contains($"libheif-plugin-{decoder}", packages);
        Assert.Contains(packages, p => Regex.IsMatch(p, $"^{decoder}-?[0-9]+$"));

        // Restore from the project files, before the sources: every project the silo and the gateway build is copied first.
        var build = dockerfile.Stages.Single(s => s.Contains("dotnet restore", StringComparison.Ordinal));
        var lines = build.Split('\n');
        var restore = Array.FindIndex(lines, l => l.Contains("dotnet restore", StringComparison.Ordinal));
        var sources = Array.FindIndex(lines, l => Regex.IsMatch(l, @"^COPY \. |^COPY src/? "));
        Assert.True(restore > 0 && sources > restore, "dotnet restore does not run before the sources are copied");
        var copiedFirst = lines[..restore].Where(l => l.StartsWith("COPY ", StringComparison.Ordinal))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1]).ToHashSet();
        Assert.All(copiedFirst, f => Assert.Matches(@"(\.csproj|^Directory\.[A-Za-z]+\.props)$", f));
        Assert.Contains("Directory.Build.props", copiedFirst);
        Assert.Contains("Directory.Packages.props", copiedFirst);
        foreach (var project in ProjectClosure("src/Pixerve.Silo/Pixerve.Silo.csproj", "src/Pixerve.Gateway/Pixerve.Gateway.csproj"))
            Assert.True(copiedFirst.Contains(project), $"{project} is not copied before dotnet restore");

        // OCI labels: what it is, where its source is, its license, its version (the projects' Version).
        var labels = Regex.Matches(runtime, @"(org\.opencontainers\.image\.[a-z]+)=""([^""]*)""").ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        Assert.Equal("Pixerve", labels["org.opencontainers.image.title"]);
        Assert.StartsWith("https://github.com/", labels["org.opencontainers.image.source"]);
        var license = File.ReadLines(Path.Combine(RepositoryPaths.Root, "LICENSE")).First();
        Assert.Equal(license.Replace(" License", "", StringComparison.Ordinal), labels["org.opencontainers.image.licenses"]);
        Assert.Equal("${VERSION}", labels["org.opencontainers.image.version"]);
        var version = XDocument.Load(Path.Combine(RepositoryPaths.Root, "Directory.Build.props")).Descendants("Version").Single().Value;
        Assert.Matches($@"(?m)^ARG VERSION={Regex.Escape(version)}$", runtime);

        // A fixed, non-root user, the one the pods run as.
        var user = Regex.Matches(runtime, @"(?m)^USER (\S+)$").Select(m => m.Groups[1].Value).Last();
        Assert.Matches(@"^[0-9]+:[0-9]+$", user);
        Assert.Equal($"{AppUid}:{AppUid}", user);

        // Never latest: not in the Dockerfile, not in the kustomization, not in any rendered container.
        Assert.DoesNotContain("latest", dockerfile.Text, StringComparison.OrdinalIgnoreCase);
        Assert.All(_manifests.Images, i => Assert.NotEqual("latest", Text(i, "newTag")));
        Assert.Contains(_manifests.Images, i => Text(i, "newTag") == version || Text(i, "digest") is not null);
        foreach (var (workload, podSpec, _) in Applied.Select(KubernetesManifests.Load).SelectMany(m => m.Workloads()))
        foreach (var container in AllContainers(podSpec))
        {
            var image = Text(container, "image")!;
            var (_, tag) = SplitImage(image);
            Assert.True(image.Contains("@sha256:", StringComparison.Ordinal) || (tag is not null && tag != "latest"), $"{workload}: image {image} has no version tag or digest");
        }
    }

    /// <summary>The package that ships a shared library on Debian and Ubuntu: <c>libheif.so.1</c> → <c>libheif1</c>, <c>libde265.so.0</c> → <c>libde265-0</c>.</summary>
    private static string DebianPackage(string soname)
    {
        var match = Regex.Match(soname, @"^(?<name>.+)\.so\.(?<version>[0-9]+)");
        Assert.True(match.Success, $"{soname} is not a versioned shared library name");
        var name = match.Groups["name"].Value;
        return char.IsDigit(name[^1]) ? $"{name}-{match.Groups["version"].Value}" : $"{name}{match.Groups["version"].Value}";
    }

    /// <summary>The projects (repository-relative) these reference, transitively, themselves included.</summary>
    private static HashSet<string> ProjectClosure(params string[] roots)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>(roots);
        while (pending.TryPop(out var project))
        {
            if (!seen.Add(project)) continue;
            var directory = Path.GetDirectoryName(Path.Combine(RepositoryPaths.Root, project))!;
            foreach (var reference in XDocument.Load(Path.Combine(RepositoryPaths.Root, project)).Descendants("ProjectReference"))
                pending.Push(Path.GetRelativePath(RepositoryPaths.Root, Path.GetFullPath(Path.Combine(directory, reference.Attribute("Include")!.Value.Replace('\\', '/')))).Replace('\\', '/'));
        }

        return seen;
    }

    private sealed record DockerfileText(string Text)
    {
        /// <summary>The stages, each from its FROM line, continuation lines joined.</summary>
        public IReadOnlyList<string> Stages { get; } = Regex.Split(Regex.Replace(Text, @"\\\n\s*", " "), @"(?m)^(?=FROM )").Skip(1).ToList();

        /// <summary>The ENV defaults, quotes removed.</summary>
        public IReadOnlyDictionary<string, string> Environment() =>
            Regex.Matches(Regex.Replace(Text, @"\\\n\s*", " "), @"(?m)^ENV (.+)$").SelectMany(m => Regex.Matches(m.Groups[1].Value, @"([A-Za-z_][A-Za-z0-9_]*)=(""[^""]*""|\S+)"))
                .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim('"'));
    }

    private static DockerfileText Dockerfile() => new(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy", "Dockerfile")).ReplaceLineEndings("\n"));

    // ---- helpers ----

    /// <summary>The documents of deploy/kubernetes/optional/*.yaml, which need CRDs or cluster-admin and are applied apart.</summary>
    private static IEnumerable<(string File, YamlMappingNode Document)> OptionalDocuments() =>
        Directory.GetFiles(Path.Combine(Folder, "optional"), "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(f => LoadFile(f).Select(d => ($"optional/{Path.GetFileName(f)}", d)));

    /// <summary>A configuration key's environment variable: <c>:</c> is <c>__</c>.</summary>
    private static string ConfigurationVariable(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>An environment variable's configuration key: <c>__</c> is <c>:</c>, and a list index is the list's key.</summary>
    private static string ConfigurationKey(string variable) =>
        Regex.Replace(variable.Replace("__", ":", StringComparison.Ordinal), @":[0-9]+$", "");

    private static Dictionary<string, string> ContainerPorts(YamlMappingNode container) =>
        Sequence(container, "ports").ToDictionary(p => Text(p, "name")!, p => Text(p, "containerPort")!);

    private static Dictionary<string, int> ContainerPortNumbers(YamlMappingNode container) =>
        ContainerPorts(container).ToDictionary(p => p.Key, p => int.Parse(p.Value));

    private static string Git(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = RepositoryPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var git = Process.Start(start)!;
        var output = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', arguments)}: {git.StandardError.ReadToEnd()}");
        return output;
    }

    private static bool GitIgnores(string path)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = RepositoryPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "check-ignore", "--no-index", "-q", path }) start.ArgumentList.Add(argument);
        using var git = Process.Start(start)!;
        git.WaitForExit();
        Assert.True(git.ExitCode is 0 or 1, $"git check-ignore {path}: {git.StandardError.ReadToEnd()}");
        return git.ExitCode == 0;
    }

    /// <summary>Every <c>Section:Property</c> a Pixerve options class binds (as ConfigurationTests reads them).</summary>
    private static HashSet<string> BoundKeys() =>
        new[] { typeof(GatewayApp).Assembly, typeof(MetricsOptions).Assembly }
            .SelectMany(a => a.GetReferencedAssemblies().Where(n => n.Name!.StartsWith("Pixerve.", StringComparison.Ordinal)).Select(Assembly.Load).Append(a))
            .Distinct()
            .SelectMany(a => a.GetTypes())
            .Select(t => (Type: t, Section: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(t => t.Section?.StartsWith("Pixerve", StringComparison.Ordinal) == true)
            .SelectMany(t => t.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true })
                .Select(p => $"{t.Section}:{p.Name}"))
            .ToHashSet();
}
