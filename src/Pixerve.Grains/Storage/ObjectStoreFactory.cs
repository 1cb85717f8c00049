namespace Pixerve.Grains.Storage;

/// <summary>Opens the client for a credential; one place to add a backend.</summary>
public sealed class ObjectStoreFactory
{
    public IObjectStore Open(CredentialDefinition credential) => credential.Type switch
    {
        CredentialType.S3 => new S3ObjectStore(credential),
        CredentialType.Sftp => new SftpObjectStore(credential),
        CredentialType.Gcs => new GcsObjectStore(credential),
        CredentialType.Direct => new LocalDirectoryStore(credential),
        _ => throw new NotSupportedException($"{credential.Type.ToWire()} storage is not available on this server yet"),
    };
}
