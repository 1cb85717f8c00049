using Microsoft.Extensions.Options;

namespace Pixerve.Storage.S3;

public sealed class S3StoreFactory(IOptions<S3StorageOptions> options) : IObjectStoreFactory
{
    public const string Name = "s3";

    public string Backend => Name;

    public IObjectStore Open(StorageCredential credential) => new S3ObjectStore(S3StorageSettings.From(credential), options.Value);
}
