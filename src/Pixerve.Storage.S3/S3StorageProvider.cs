using Microsoft.Extensions.Options;
using Pixerve.Storage.Credentials;

namespace Pixerve.Storage.S3;

public sealed class S3StorageProvider(IOptions<S3StorageOptions> options) : IStorageProvider
{
    public const string Name = "s3";

    string IStorageProvider.Name => Name;

    public string Description => "Amazon S3, or an S3-compatible service with service_url";

    public IReadOnlyList<CredentialField> Fields => S3CredentialFields.All;

    public IObjectStore Open(StorageCredential credential) => new S3ObjectStore(S3StorageSettings.From(credential), options.Value);
}
