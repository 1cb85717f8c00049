using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Orleans.Hosting.Kubernetes;
using Pixerve.Gateway;
using Pixerve.Silo;
using Pixerve.Tests.Infrastructure;
using static Pixerve.Tests.Gateway.KubernetesManifests;

namespace Pixerve.Tests.Gateway;

/// <summary>
/// deploy/kubernetes and deploy/Dockerfile against the code, since no cluster or container engine runs here: the
/// manifests parse, every variable they set is a key Pixerve reads, their ports and probe paths are the ones the
/// processes serve, and their names, labels and selectors fit together.
/// </summary>
public sealed class KubernetesManifestTests
{
    private readonly KubernetesManifests _manifests = KubernetesManifests.Load();

    [Fact]
    public void Every_manifest_parses_names_its_kind_and_is_in_the_kustomization()
    {
        Assert.All(_manifests.Documents, d =>
        {
            Assert.False(string.IsNullOrEmpty(Text(d.Document, "apiVersion")), d.File);
            Assert.False(string.IsNullOrEmpty(Text(d.Document, "kind")), d.File);
        });
        var kustomization = _manifests.OfKind("Kustomization").Single();
        var listed = Sequence(kustomization, "resources").Select(r => ((YamlDotNet.RepresentationModel.YamlScalarNode)r).Value).Order().ToList();
        var files = Directory.GetFiles(Folder, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order().ToList();
        Assert.Equal(files, listed);
        Assert.All(_manifests.Documents.Where(d => Text(d.Document, "kind") != "Kustomization"),
            d => Assert.Equal("pixerve", Labels(d.Document, "metadata", "labels").GetValueOrDefault("app.kubernetes.io/name")));
    }

    [Theory]
    [InlineData("pixerve-silo")]
    [InlineData("pixerve-gateway")]
    public void Every_variable_a_container_gets_is_a_key_pixerve_or_orleans_reads(string deployment)
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "operations.md"));
        var bound = BoundKeys();
        string[] orleans = [KubernetesHostingOptions.PodNameEnvironmentVariable, KubernetesHostingOptions.PodNamespaceEnvironmentVariable,
            KubernetesHostingOptions.PodIPEnvironmentVariable];
        foreach (var name in _manifests.Environment(_manifests.Container(deployment)).Keys)
        {
            var key = name.Replace("__", ":", StringComparison.Ordinal);
            if (name.StartsWith("Pixerve__", StringComparison.Ordinal))
            {
                Assert.True(bound.Contains(key), $"{deployment}: {name} is no key an options class binds ({key})");
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

    [Fact]
    public void Every_secret_and_config_map_a_container_refers_to_exists_with_that_key()
    {
        foreach (var deployment in _manifests.OfKind("Deployment"))
        {
            var container = (YamlDotNet.RepresentationModel.YamlMappingNode)Sequence(deployment, "spec", "template", "spec", "containers").Single();
            foreach (var variable in Sequence(container, "env"))
            {
                if (Node(variable, "valueFrom", "secretKeyRef") is not { } reference) continue;
                var secret = _manifests.Single("Secret", Text(reference, "name")!);
                Assert.NotNull(Text(secret, "stringData", Text(reference, "key")!));
            }

            foreach (var from in Sequence(container, "envFrom"))
                Assert.NotNull(_manifests.Single("ConfigMap", Text(from, "configMapRef", "name")!));
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
        Assert.Equal("*", env["Pixerve__Metrics__Host"]);
        Assert.Equal(env["Pixerve__Metrics__Port"], Text(_manifests.Single("Deployment", "pixerve-silo"), "spec", "template", "metadata", "annotations", "prometheus.io/port"));

        Assert.Equal(SiloProbes.LivePath, Text(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal(SiloProbes.LivePath, Text(container, "startupProbe", "httpGet", "path"));
        Assert.Equal(SiloProbes.ReadyPath, Text(container, "readinessProbe", "httpGet", "path"));
        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
            Assert.Equal("metrics", Text(container, probe, "httpGet", "port"));
        Assert.Equal(["silo"], Sequence(container, "args").Select(a => a.ToString()));
    }

    [Fact]
    public async Task The_gateway_port_and_probes_are_its_configured_listener_and_routes_it_maps()
    {
        var container = _manifests.Container("pixerve-gateway");
        var env = _manifests.Environment(container);
        var ports = ContainerPorts(container);
        var listenPort = Regex.Match(env["Urls"]!, @":(\d+)$").Groups[1].Value;
        Assert.Equal(listenPort, ports["http"]);
        Assert.Equal(listenPort, Text(_manifests.Single("Deployment", "pixerve-gateway"), "spec", "template", "metadata", "annotations", "prometheus.io/port"));
        Assert.Equal("http", Text(Sequence(_manifests.Single("Service", "pixerve-gateway"), "spec", "ports").Single(), "targetPort"));

        await using var app = GatewayApp.Build([$"--Pixerve:Jwt:Secret={PixerveFixture.JwtSecret}", "--urls=http://127.0.0.1:0", "--Pixerve:Cluster:Mode=localhost"]);
        var routes = ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText).ToHashSet();
        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
        {
            Assert.Contains(Text(container, probe, "httpGet", "path"), routes);
            Assert.Equal("http", Text(container, probe, "httpGet", "port"));
        }

        Assert.Equal("/health/live", Text(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal("/health/ready", Text(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal(["gateway"], Sequence(container, "args").Select(a => a.ToString()));
    }

    [Fact]
    public void Silo_pods_carry_the_orleans_labels_of_the_configured_cluster_and_may_watch_and_delete_pods()
    {
        var silo = _manifests.Single("Deployment", "pixerve-silo");
        var labels = Labels(silo, "spec", "template", "metadata", "labels");
        var env = _manifests.Environment(_manifests.Container("pixerve-silo"));
        Assert.Equal("kubernetes", env["Pixerve__Cluster__Mode"]);
        Assert.Equal(PixerveConfiguration.ServiceId, labels[KubernetesHostingOptions.ServiceIdLabel]);
        Assert.Equal(env["Pixerve__Cluster__Id"], labels[KubernetesHostingOptions.ClusterIdLabel]);
        Assert.Equal(env["Pixerve__Cluster__Id"], _manifests.Environment(_manifests.Container("pixerve-gateway"))["Pixerve__Cluster__Id"]);

        var account = Text(silo, "spec", "template", "spec", "serviceAccountName");
        Assert.NotNull(_manifests.Single("ServiceAccount", account!));
        var binding = _manifests.OfKind("RoleBinding").Single(b => Sequence(b, "subjects").Any(s => Text(s, "name") == account));
        var role = _manifests.Single("Role", Text(binding, "roleRef", "name")!);
        var rule = Sequence(role, "rules").Single(r => Sequence(r, "resources").Any(x => x.ToString() == "pods"));
        Assert.Superset(new HashSet<string> { "get", "list", "watch", "delete" }, Sequence(rule, "verbs").Select(v => v.ToString()).ToHashSet());
    }

    [Fact]
    public void Selectors_match_their_pods_and_both_processes_mount_the_served_files()
    {
        var deployments = _manifests.OfKind("Deployment").ToList();
        foreach (var deployment in deployments)
        {
            var template = Labels(deployment, "spec", "template", "metadata", "labels");
            Assert.Superset(Labels(deployment, "spec", "selector", "matchLabels").ToHashSet(), template.ToHashSet());
            var mount = Sequence(_manifests.Container(Text(deployment, "metadata", "name")!), "volumeMounts").Single();
            Assert.Equal(_manifests.Environment(_manifests.Container(Text(deployment, "metadata", "name")!))["Pixerve__ServeDir"], Text(mount, "mountPath"));
            var volume = Sequence(deployment, "spec", "template", "spec", "volumes").Single(v => Text(v, "name") == Text(mount, "name"));
            Assert.NotNull(_manifests.Single("PersistentVolumeClaim", Text(volume, "persistentVolumeClaim", "claimName")!));
        }

        foreach (var selector in _manifests.OfKind("PodDisruptionBudget").Select(p => Labels(p, "spec", "selector", "matchLabels"))
                     .Append(Labels(_manifests.Single("Service", "pixerve-gateway"), "spec", "selector")))
        {
            Assert.Single(deployments, d => selector.All(l => Labels(d, "spec", "template", "metadata", "labels").GetValueOrDefault(l.Key) == l.Value));
        }
    }

    [Fact]
    public void The_dockerfile_exposes_every_container_port_and_defaults_to_the_manifests_settings()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy", "Dockerfile"));
        var exposed = Regex.Match(dockerfile, @"^EXPOSE (.+)$", RegexOptions.Multiline).Groups[1].Value.Split(' ').ToHashSet();
        foreach (var deployment in new[] { "pixerve-silo", "pixerve-gateway" })
        {
            var container = _manifests.Container(deployment);
            Assert.Superset(ContainerPorts(container).Values.ToHashSet(), exposed);
            foreach (var (name, value) in _manifests.Environment(container).Where(v => dockerfile.Contains($"{v.Key}=", StringComparison.Ordinal)))
                Assert.Contains($"{name}={value}", dockerfile);
        }

        Assert.Contains("ENTRYPOINT [\"/app/entrypoint.sh\"]", dockerfile);
        Assert.Contains("USER $APP_UID", dockerfile);
        // libvips under glibc's default of 8 arenas per core keeps a third more memory resident (docs/operations.md).
        Assert.Matches(@"(?m)^\s+MALLOC_ARENA_MAX=2\b", dockerfile);
        Assert.Contains("deploy/publish.sh /app", dockerfile);
    }

    private static Dictionary<string, string> ContainerPorts(YamlDotNet.RepresentationModel.YamlMappingNode container) =>
        Sequence(container, "ports").ToDictionary(p => Text(p, "name")!, p => Text(p, "containerPort")!);

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
