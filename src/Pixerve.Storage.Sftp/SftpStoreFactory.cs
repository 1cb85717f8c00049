using Microsoft.Extensions.Options;

namespace Pixerve.Storage.Sftp;

public sealed class SftpStoreFactory(IOptions<SftpStorageOptions> options) : IObjectStoreFactory
{
    public const string Name = "sftp";

    public string Backend => Name;

    public IObjectStore Open(StorageCredential credential) => new SftpObjectStore(SftpStorageSettings.From(credential), options.Value);
}
