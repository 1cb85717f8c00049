namespace Pixerve.Storage.S3;

/// <summary>The fields of an <c>s3</c> credential: Amazon S3, or any S3-compatible service with <see cref="ServiceUrl"/>.</summary>
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
        Bucket = credential.Required("bucket"),
        Region = credential.Optional("region") ?? "us-east-1",
        ServiceUrl = credential.Optional("service_url"),
        ForcePathStyle = credential.Flag("force_path_style"),
        Prefix = credential.Optional("prefix"),
        AccessKeyId = credential.Required("access_key_id"),
        SecretAccessKey = credential.Required("secret_access_key"),
    };
}
