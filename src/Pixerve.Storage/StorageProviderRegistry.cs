using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Pixerve.Storage;

/// <summary>
/// The storage providers this process registered, by name: the one list of backend names. What a credential's type,
/// a job's storage keys, the admin schema and the OpenAPI document accept comes from here.
/// </summary>
public sealed partial class StorageProviderRegistry
{
    private readonly Dictionary<string, IStorageProvider> _byName = new(StringComparer.Ordinal);

    public StorageProviderRegistry(IEnumerable<IStorageProvider> providers)
    {
        var all = new List<IStorageProvider>();
        foreach (var provider in providers)
        {
            // A name travels as a grain key, a JSON property name and a metric tag: keep it plain.
            if (!NamePattern().IsMatch(provider.Name))
                throw new InvalidOperationException($"storage provider {provider.GetType().Name} has the name '{provider.Name}': use 1-32 lowercase letters and digits");
            if (!_byName.TryAdd(provider.Name, provider))
                throw new InvalidOperationException($"two storage providers are registered as '{provider.Name}'");
            all.Add(provider);
        }

        All = all;
        Names = all.Select(p => p.Name).ToList();
    }

    /// <summary>In the order they were registered.</summary>
    public IReadOnlyList<IStorageProvider> All { get; }

    public IReadOnlyList<string> Names { get; }

    /// <summary>The names for a message: <c>direct, s3, gcs or sftp</c>.</summary>
    public string NameList => Names.Count switch
    {
        0 => "(none registered)",
        1 => Names[0],
        _ => $"{string.Join(", ", Names.Take(Names.Count - 1))} or {Names[^1]}",
    };

    public bool TryGet(string? name, [NotNullWhen(true)] out IStorageProvider? provider)
    {
        provider = null;
        return name is not null && _byName.TryGetValue(name, out provider);
    }

    public IStorageProvider Get(string name) =>
        TryGet(name, out var provider) ? provider : throw new NotSupportedException($"{name} storage is not available on this server yet");

    public IObjectStore Open(StorageCredential credential) => Get(credential.Backend).Open(credential);

    [GeneratedRegex(@"\A[a-z][a-z0-9]{0,31}\z")]
    private static partial Regex NamePattern();
}
