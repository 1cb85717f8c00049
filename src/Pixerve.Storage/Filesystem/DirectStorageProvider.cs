using Pixerve.Storage.Credentials;

namespace Pixerve.Storage.Filesystem;

/// <summary>
/// <c>direct</c> credentials: directories on the silos' own file systems, so it needs no SDK. Its name is also the
/// serve directory's backend (<see cref="DirectHostStore"/>), which needs no credential.
/// </summary>
public sealed class DirectStorageProvider : IStorageProvider
{
    public string Name => DirectHostStore.Backend;

    public string Description => "a directory on every silo's file system (a shared mount), optionally served at a public URL";

    public IReadOnlyList<CredentialField> Fields => DirectCredentialFields.All;

    public IObjectStore Open(StorageCredential credential)
    {
        var settings = DirectStorageSettings.From(credential);
        return new LocalDirectoryStore(settings.Path, settings.BaseUrl);
    }
}
