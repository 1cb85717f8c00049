using Pixerve.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Pixerve.Tests.Gateway;

/// <summary>deploy/kubernetes/*.yaml parsed with YamlDotNet: every document, with small readers for what the tests check.</summary>
public sealed class KubernetesManifests
{
    public static string Folder { get; } = Path.Combine(RepositoryPaths.Root, "deploy", "kubernetes");

    public IReadOnlyList<(string File, YamlMappingNode Document)> Documents { get; }

    private KubernetesManifests(IReadOnlyList<(string, YamlMappingNode)> documents) => Documents = documents;

    public static KubernetesManifests Load()
    {
        var documents = new List<(string, YamlMappingNode)>();
        foreach (var file in Directory.GetFiles(Folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(file)) stream.Load(reader);
            foreach (var document in stream.Documents)
            {
                var root = document.RootNode as YamlMappingNode
                           ?? throw new InvalidDataException($"{Path.GetFileName(file)}: a document is not a mapping");
                documents.Add((Path.GetFileName(file), root));
            }
        }

        return new KubernetesManifests(documents);
    }

    public IEnumerable<YamlMappingNode> OfKind(string kind) =>
        Documents.Where(d => Text(d.Document, "kind") == kind).Select(d => d.Document);

    public YamlMappingNode Single(string kind, string name) =>
        OfKind(kind).Single(d => Text(d, "metadata", "name") == name);

    /// <summary>The Deployment's one container.</summary>
    public YamlMappingNode Container(string deployment) =>
        (YamlMappingNode)Sequence(Single("Deployment", deployment), "spec", "template", "spec", "containers").Single();

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

    public static IReadOnlyDictionary<string, string> Labels(YamlNode node, params string[] path) =>
        Mapping(node, path).Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value!);
}
