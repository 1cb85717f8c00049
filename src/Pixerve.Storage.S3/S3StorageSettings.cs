namespace Pixerve.Storage.S3;

/// <summary>
/// One <c>s3</c> credential's values for one store (declared in <see cref="S3CredentialFields"/>): Amazon S3, or any
/// S3-compatible service with <see cref="ServiceUrl"/>.
/// </summary>
public sealed record S3StorageSettings
{
    public required string Bucket { get; init; }
    public string Region { get; init; } = "us-east-1";
    /// <summary>An S3-compatible endpoint (MinIO, s3rver, …); null for Amazon's own, found from <see cref="Region"/>.</summary>
    public string? ServiceUrl { get; init; }
    public bool ForcePathStyle { get; init; }
    public string? Prefix { get; init; }
    public required string AccessKeyId { get; init; }
    public required string SecretAccessKey { get; init; }

    public static S3StorageSettings From(StorageCredential credential) => new()
    {
        Bucket = credential.Required(S3CredentialFields.Bucket),
        Region = credential.Required(S3CredentialFields.Region),
        ServiceUrl = credential.Optional(S3CredentialFields.ServiceUrl),
        ForcePathStyle = credential.Flag(S3CredentialFields.ForcePathStyle),
        Prefix = credential.Optional(S3CredentialFields.Prefix),
        AccessKeyId = credential.Required(S3CredentialFields.AccessKeyId),
        SecretAccessKey = credential.Required(S3CredentialFields.SecretAccessKey),
    };
}
