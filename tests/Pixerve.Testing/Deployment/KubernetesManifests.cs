using YamlDotNet.RepresentationModel;
using Pixerve.Testing;

namespace Pixerve.Testing.Deployment;

/// <summary>
/// A kustomization under deploy/kubernetes rendered as <c>kubectl apply -k</c> would, without kubectl, for the fields
/// the deployment uses (any other field is an error, so a new one cannot be skipped silently): <c>resources</c> (files
/// parsed with YamlDotNet, folders rendered as kustomizations of their own), <c>secretGenerator</c> (a Secret per
/// entry with its keys and empty values, the files holding the values being outside the repository;
/// <c>behavior: merge</c> adds keys to a Secret a resource generated), <c>patches</c> given by <c>path</c> (strategic
/// merge: mappings merged, the pod spec's lists merged by their Kubernetes merge keys with the patch's entries first,
/// as kustomize orders them), and <c>images</c>. Like kustomize, it refuses a file outside the kustomization's folder.
/// Small readers for what the tests check.
/// </summary>
public sealed class KubernetesManifests
{
    public static string Folder { get; } = Path.Combine(RepositoryPaths.Root, "deploy", "kubernetes");

    /// <summary>The kustomizations an operator applies, relative to <see cref="Folder"/>: "" (Azure Storage) and each overlay.</summary>
    public static IReadOnlyList<string> Applied { get; } =
        Directory.GetDirectories(Path.Combine(Folder, "overlays")).Order(StringComparer.Ordinal)
            .Where(d => File.Exists(Path.Combine(d, "kustomization.yaml")))
            .Select(d => Path.GetRelativePath(Folder, d).Replace('\\', '/')).Prepend("").ToList();

    /// <summary>The rendered documents: each resource file's, then the generated Secrets (File: their kustomization.yaml), relative to <see cref="Folder"/>.</summary>
    public IReadOnlyList<(string File, YamlMappingNode Document)> Documents { get; }

    /// <summary>The applied kustomization.</summary>
    public YamlMappingNode Kustomization { get; }

    /// <summary>Every kustomization the rendering read, the applied one last: its folder relative to <see cref="Folder"/>.</summary>
    public IReadOnlyList<(string Folder, YamlMappingNode Kustomization)> Kustomizations { get; }

    /// <summary>Every secretGenerator entry of <see cref="Kustomizations"/>, with its kustomization's folder.</summary>
    public IEnumerable<(string Folder, YamlNode Generator)> SecretGenerators =>
        Kustomizations.SelectMany(k => Sequence(k.Kustomization, "secretGenerator").Select(g => (k.Folder, g)));

    /// <summary>Every <c>images</c> entry of <see cref="Kustomizations"/>.</summary>
    public IEnumerable<YamlNode> Images => Kustomizations.SelectMany(k => Sequence(k.Kustomization, "images"));

    private KubernetesManifests(YamlMappingNode kustomization, IReadOnlyList<(string, YamlMappingNode)> kustomizations, IReadOnlyList<(string, YamlMappingNode)> documents)
    {
        Kustomization = kustomization;
        Kustomizations = kustomizations;
        Documents = documents;
    }

    /// <summary>deploy/kubernetes (<paramref name="kustomization"/> ""), or the kustomization in that folder under it.</summary>
    public static KubernetesManifests Load(string kustomization = "")
    {
        var kustomizations = new List<(string, YamlMappingNode)>();
        var documents = Render(Path.GetFullPath(Path.Combine(Folder, kustomization)), kustomizations, []);
        return new KubernetesManifests(kustomizations[^1].Item2, kustomizations, documents);
    }

    private static readonly string[] Fields = ["apiVersion", "kind", "resources", "secretGenerator", "generatorOptions", "patches", "images"];

    private static List<(string, YamlMappingNode)> Render(string folder, List<(string, YamlMappingNode)> kustomizations, HashSet<YamlMappingNode> generated)
    {
        var relative = Path.GetRelativePath(Folder, folder).Replace('\\', '/') is var r && r != "." ? r : "";
        string Named(string file) => relative.Length == 0 ? file : $"{relative}/{file}";
        var kustomization = LoadFile(Path.Combine(folder, "kustomization.yaml")).Single();
        var unknown = kustomization.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Except(Fields).ToList();
        if (unknown.Count > 0) throw new InvalidDataException($"{Named("kustomization.yaml")}: {string.Join(", ", unknown)} is not rendered here");

        var documents = new List<(string, YamlMappingNode)>();
        foreach (var resource in Strings(kustomization, "resources"))
        {
            var path = Path.GetFullPath(Path.Combine(folder, resource));
            if (Directory.Exists(path)) documents.AddRange(Render(path, kustomizations, generated));
            else documents.AddRange(LoadFile(Inside(folder, resource)).Select(d => (Named(resource), d)));
        }

        var generatorLabels = Mapping(kustomization, "generatorOptions", "labels");
        foreach (var generator in Sequence(kustomization, "secretGenerator"))
        {
            foreach (var file in GeneratorFiles(generator)) Inside(folder, file);
            var name = Text(generator, "name")!;
            var existing = documents.Select(d => d.Item2).Where(d => generated.Contains(d) && Text(d, "kind") == "Secret" && Text(d, "metadata", "name") == name).ToList();
            switch (Text(generator, "behavior") ?? "create")
            {
                case "create":
                    if (existing.Count > 0) throw new InvalidDataException($"{Named("kustomization.yaml")}: Secret {name} is generated twice");
                    var labels = new YamlMappingNode();
                    foreach (var (key, value) in generatorLabels.Children.Concat(Mapping(generator, "options", "labels").Children)) labels.Children[key] = value;
                    var data = new YamlMappingNode();
                    foreach (var key in GeneratedKeys(generator)) data.Add(key, "");
                    var secret = new YamlMappingNode
                    {
                        { "apiVersion", "v1" },
                        { "kind", "Secret" },
                        { "metadata", new YamlMappingNode { { "name", name }, { "labels", labels } } },
                        { "type", Text(generator, "type") ?? "Opaque" },
                        { "data", data },
                    };
                    generated.Add(secret);
                    documents.Add((Named("kustomization.yaml"), secret));
                    break;
                case "merge":
                    if (existing.Count != 1) throw new InvalidDataException($"{Named("kustomization.yaml")}: merges into Secret {name}, which no resource generated");
                    foreach (var key in GeneratedKeys(generator)) Mapping(existing[0], "data").Children[new YamlScalarNode(key)] = new YamlScalarNode("");
                    break;
                default:
                    throw new InvalidDataException($"{Named("kustomization.yaml")}: behavior {Text(generator, "behavior")} is not rendered here");
            }
        }

        foreach (var patch in Sequence(kustomization, "patches"))
        {
            if (((YamlMappingNode)patch).Children.Count != 1 || Text(patch, "path") is not { } file)
                throw new InvalidDataException($"{Named("kustomization.yaml")}: a patch other than a strategic merge by path is not rendered here");
            foreach (var change in LoadFile(Inside(folder, file)))
            {
                var targets = documents.Select(d => d.Item2).Where(d => Text(d, "kind") == Text(change, "kind") && Text(d, "metadata", "name") == Text(change, "metadata", "name")).ToList();
                if (targets.Count != 1) throw new InvalidDataException($"{Named(file)}: patches {Text(change, "kind")}/{Text(change, "metadata", "name")}, which the resources render {targets.Count} times");
                Merge(targets[0], change, Named(file));
            }
        }

        foreach (var image in Sequence(kustomization, "images"))
            ApplyImage(documents.Select(d => d.Item2), image);
        kustomizations.Add((relative, kustomization));
        return documents;
    }

    /// <summary>A file of the kustomization: kustomize refuses one outside its folder (an overlay may name another folder only as a resource).</summary>
    private static string Inside(string folder, string file)
    {
        var path = Path.GetFullPath(Path.Combine(folder, file));
        if (!path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidDataException($"{file} is outside {Path.GetRelativePath(Folder, folder)}, which kustomize refuses");
        return path;
    }

    /// <summary>The lists of a pod spec that a strategic merge patch merges by a key; any other list is replaced.</summary>
    private static readonly Dictionary<string, string> MergeKeys = new()
    {
        ["containers"] = "name", ["initContainers"] = "name", ["env"] = "name", ["volumes"] = "name", ["volumeMounts"] = "mountPath",
    };

    /// <summary>
    /// A strategic merge: mappings merged key by key, lists with a merge key merged by it (the patch's entries first,
    /// in its order, then the target's others, which is kustomize's order), anything else replaced.
    /// </summary>
    private static void Merge(YamlMappingNode target, YamlMappingNode patch, string file)
    {
        foreach (var (keyNode, value) in patch.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value!;
            if (key.StartsWith('$')) throw new InvalidDataException($"{file}: the directive {key} is not rendered here");
            if (!target.Children.TryGetValue(keyNode, out var current)) target.Children[keyNode] = value;
            else if (current is YamlMappingNode currentMapping && value is YamlMappingNode patchMapping) Merge(currentMapping, patchMapping, file);
            else if (current is YamlSequenceNode currentList && value is YamlSequenceNode patchList && MergeKeys.TryGetValue(key, out var mergeKey))
            {
                var merged = new YamlSequenceNode();
                foreach (var entry in patchList.Children.Cast<YamlMappingNode>())
                {
                    var existing = currentList.Children.Cast<YamlMappingNode>().SingleOrDefault(c => Text(c, mergeKey) == Text(entry, mergeKey));
                    if (existing is not null) Merge(existing, entry, file);
                    merged.Add(existing ?? entry);
                }

                foreach (var entry in currentList.Children.Cast<YamlMappingNode>().Where(c => !patchList.Children.Any(p => Text(p, mergeKey) == Text(c, mergeKey))))
                    merged.Add(entry);
                target.Children[keyNode] = merged;
            }
            else target.Children[keyNode] = value;
        }
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
