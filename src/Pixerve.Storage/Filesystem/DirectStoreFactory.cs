namespace Pixerve.Storage.Filesystem;

/// <summary>Opens <c>direct</c> credentials: directories on the silos' own file systems, so it needs no SDK and is always there.</summary>
public sealed class DirectStoreFactory : IObjectStoreFactory
{
    public string Backend => DirectHostStore.Backend;

    public IObjectStore Open(StorageCredential credential)
    {
        var settings = DirectStorageSettings.From(credential);
        return new LocalDirectoryStore(settings.Path, settings.BaseUrl);
    }
}
