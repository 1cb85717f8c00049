using YamlDotNet.RepresentationModel;
using Pixerve.Testing;

namespace Pixerve.Testing.Deployment;

/// <summary>
/// deploy/kubernetes rendered as <c>kubectl apply -k</c> would, without kubectl (none runs here), for what the
/// kustomization uses: its <c>resources</c> parsed with YamlDotNet, a Secret for each <c>secretGenerator</c> (its keys,
/// with empty values: the files hold the values and are not in the repository), and <c>images</c> applied to the
/// containers. Small readers for what the tests check.
/// </summary>
public sealed class KubernetesManifests
{
    public static string Folder { get; } = Path.Combine(RepositoryPaths.Root, "deploy", "kubernetes");

    /// <summary>The rendered documents: each resource file's, then the generated Secrets (File: kustomization.yaml).</summary>
    public IReadOnlyList<(string File, YamlMappingNode Document)> Documents { get; }

    public YamlMappingNode Kustomization { get; }

    private KubernetesManifests(YamlMappingNode kustomization, IReadOnlyList<(string, YamlMappingNode)> documents)
    {
        Kustomization = kustomization;
        Documents = documents;
    }

    public static KubernetesManifests Load()
    {
        var kustomization = LoadFile(Path.Combine(Folder, "kustomization.yaml")).Single();
        var documents = new List<(string, YamlMappingNode)>();
        foreach (var resource in Sequence(kustomization, "resources").Select(r => ((YamlScalarNode)r).Value!))
            documents.AddRange(LoadFile(Path.Combine(Folder, resource)).Select(d => (resource, d)));

        var generatorLabels = Mapping(kustomization, "generatorOptions", "labels");
        foreach (var generator in Sequence(kustomization, "secretGenerator"))
        {
            var labels = new YamlMappingNode();
            foreach (var (key, value) in generatorLabels.Children.Concat(Mapping(generator, "options", "labels").Children)) labels.Children[key] = value;
            var data = new YamlMappingNode();
            foreach (var key in GeneratedKeys(generator)) data.Add(key, "");
            documents.Add(("kustomization.yaml", new YamlMappingNode
            {
                { "apiVersion", "v1" },
                { "kind", "Secret" },
                { "metadata", new YamlMappingNode { { "name", Text(generator, "name")! }, { "labels", labels } } },
                { "type", Text(generator, "type") ?? "Opaque" },
                { "data", data },
            }));
        }

        foreach (var image in Sequence(kustomization, "images"))
            ApplyImage(documents.Select(d => d.Item2), image);
        return new KubernetesManifests(kustomization, documents);
    }

    /// <summary>Every document of one YAML file.</summary>
    public static IReadOnlyList<YamlMappingNode> LoadFile(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path)) stream.Load(reader);
        return stream.Documents.Select(d => d.RootNode as YamlMappingNode
                                            ?? throw new InvalidDataException($"{Path.GetFileName(path)}: a document is not a mapping")).ToList();
    }

    /// <summary>The keys a secretGenerator entry gives its Secret: <c>key=path</c> (or the file's name) and literals' keys.</summary>
    public static IEnumerable<string> GeneratedKeys(YamlNode generator) =>
        Sequence(generator, "files").Select(f => ((YamlScalarNode)f).Value!)
            .Select(f => f.Contains('=') ? f[..f.IndexOf('=')] : Path.GetFileName(f))
            .Concat(Sequence(generator, "literals").Select(l => ((YamlScalarNode)l).Value!).Select(l => l[..l.IndexOf('=')]));

    /// <summary>The files a secretGenerator entry reads (<c>files</c> and <c>envs</c>), relative to the kustomization.</summary>
    public static IEnumerable<string> GeneratorFiles(YamlNode generator) =>
        Sequence(generator, "files").Select(f => ((YamlScalarNode)f).Value!).Select(f => f.Contains('=') ? f[(f.IndexOf('=') + 1)..] : f)
            .Concat(Sequence(generator, "envs").Select(e => ((YamlScalarNode)e).Value!));

    /// <summary>kustomize's <c>images</c>: a container whose image is <c>name</c> (or <c>name:tag</c>) gets newName, newTag, digest.</summary>
    private static void ApplyImage(IEnumerable<YamlMappingNode> documents, YamlNode image)
    {
        var name = Text(image, "name")!;
        foreach (var container in documents.SelectMany(PodSpecs).SelectMany(AllContainers))
        {
            var current = Text(container, "image")!;
            var (currentName, currentTag) = SplitImage(current);
            if (currentName != name) continue;
            var digest = Text(image, "digest");
            var tag = Text(image, "newTag") ?? currentTag;
            container.Children[new YamlScalarNode("image")] = new YamlScalarNode(
                (Text(image, "newName") ?? name) + (digest is not null ? $"@{digest}" : tag is not null ? $":{tag}" : ""));
        }
    }

    /// <summary>An image reference's name and tag (null when none); a digest stays with the name.</summary>
    public static (string Name, string? Tag) SplitImage(string image)
    {
        if (image.Contains('@')) return (image, null);
        var slash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        return colon > slash ? (image[..colon], image[(colon + 1)..]) : (image, null);
    }

    public IEnumerable<YamlMappingNode> OfKind(string kind) =>
        Documents.Where(d => Text(d.Document, "kind") == kind).Select(d => d.Document);

    public YamlMappingNode Single(string kind, string name) =>
        OfKind(kind).Single(d => Text(d, "metadata", "name") == name);

    /// <summary>Every pod template (or pod) in the rendered output: Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, Pods.</summary>
    public IEnumerable<(string Workload, YamlMappingNode PodSpec, YamlMappingNode PodMetadata)> Workloads() =>
        Documents.Select(d => d.Document).SelectMany(d => PodSpecsWithMetadata(d).Select(p => ($"{Text(d, "kind")}/{Text(d, "metadata", "name")}", p.Spec, p.Metadata)));

    private static IEnumerable<YamlMappingNode> PodSpecs(YamlMappingNode document) => PodSpecsWithMetadata(document).Select(p => p.Spec);

    private static IEnumerable<(YamlMappingNode Spec, YamlMappingNode Metadata)> PodSpecsWithMetadata(YamlMappingNode document)
    {
        string[]? template = Text(document, "kind") switch
        {
            "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet" or "Job" => ["spec", "template"],
            "CronJob" => ["spec", "jobTemplate", "spec", "template"],
            "Pod" => [],
            _ => null,
        };
        if (template is null) yield break;
        yield return (Mapping(document, [.. template, "spec"]), Mapping(document, [.. template, "metadata"]));
    }

    /// <summary>A pod spec's containers, init containers and ephemeral containers.</summary>
    public static IEnumerable<YamlMappingNode> AllContainers(YamlMappingNode podSpec) =>
        new[] { "containers", "initContainers", "ephemeralContainers" }.SelectMany(k => Sequence(podSpec, k)).Cast<YamlMappingNode>();

    /// <summary>The Deployment's pod spec.</summary>
    public YamlMappingNode PodSpec(string deployment) => Mapping(Single("Deployment", deployment), "spec", "template", "spec");

    /// <summary>The Deployment's one container.</summary>
    public YamlMappingNode Container(string deployment) => (YamlMappingNode)Sequence(PodSpec(deployment), "containers").Single();

    /// <summary>Every variable the container gets: its <c>env</c> names and the keys of the ConfigMaps it takes whole.</summary>
    public IReadOnlyDictionary<string, string?> Environment(YamlMappingNode container)
    {
        var variables = new Dictionary<string, string?>();
        foreach (var from in Sequence(container, "envFrom").Cast<YamlMappingNode>())
        {
            var map = Single("ConfigMap", Text(from, "configMapRef", "name")!);
            foreach (var (key, value) in Mapping(map, "data").Children)
                variables[((YamlScalarNode)key).Value!] = ((YamlScalarNode)value).Value;
        }

        foreach (var variable in Sequence(container, "env").Cast<YamlMappingNode>())
            variables[Text(variable, "name")!] = Text(variable, "value");
        return variables;
    }

    /// <summary>The container's <c>env</c> entries that come from a Secret: variable → (Secret, key).</summary>
    public static IReadOnlyDictionary<string, (string Secret, string Key)> SecretVariables(YamlMappingNode container) =>
        Sequence(container, "env").Where(v => Node(v, "valueFrom", "secretKeyRef") is not null)
            .ToDictionary(v => Text(v, "name")!, v => (Text(v, "valueFrom", "secretKeyRef", "name")!, Text(v, "valueFrom", "secretKeyRef", "key")!));

    public static YamlNode? Node(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var child)) return null;
            node = child;
        }

        return node;
    }

    public static string? Text(YamlNode node, params string[] path) => (Node(node, path) as YamlScalarNode)?.Value;

    public static YamlMappingNode Mapping(YamlNode node, params string[] path) =>
        Node(node, path) as YamlMappingNode ?? new YamlMappingNode();

    public static IReadOnlyList<YamlNode> Sequence(YamlNode node, params string[] path) =>
        (Node(node, path) as YamlSequenceNode)?.Children.ToList() ?? [];

    public static IReadOnlyList<string> Strings(YamlNode node, params string[] path) =>
        Sequence(node, path).Select(n => ((YamlScalarNode)n).Value!).ToList();

    public static IReadOnlyDictionary<string, string> Labels(YamlNode node, params string[] path) =>
        Mapping(node, path).Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value!);
}
