namespace Pixerve.Storage;

/// <summary>Every backend this server was built with, by name: adding one is its project plus one registration line.</summary>
public sealed class ObjectStores(IEnumerable<IObjectStoreFactory> factories)
{
    private readonly Dictionary<string, IObjectStoreFactory> _factories = factories.ToDictionary(f => f.Backend, StringComparer.Ordinal);

    public IObjectStore Open(StorageCredential credential) =>
        _factories.TryGetValue(credential.Backend, out var factory)
            ? factory.Open(credential)
            : throw new NotSupportedException($"{credential.Backend} storage is not available on this server yet");
}
