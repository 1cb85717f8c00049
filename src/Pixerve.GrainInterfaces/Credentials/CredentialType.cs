namespace Pixerve.GrainInterfaces.Credentials;

/// <summary>The kinds of storage backend a credential can open; the lowercase name is the wire form.</summary>
[GenerateSerializer, Alias("pixerve.CredentialType")]
public enum CredentialType
{
    S3,
    Gcs,
    Sftp,
    Direct,
}
