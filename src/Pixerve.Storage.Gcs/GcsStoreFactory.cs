using Microsoft.Extensions.Options;

namespace Pixerve.Storage.Gcs;

public sealed class GcsStoreFactory(IOptions<GcsStorageOptions> options) : IObjectStoreFactory
{
    public const string Name = "gcs";

    public string Backend => Name;

    public IObjectStore Open(StorageCredential credential) => new GcsObjectStore(GcsStorageSettings.From(credential), options.Value);
}
