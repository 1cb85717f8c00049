using Pixerve.Storage.Credentials;

namespace Pixerve.Storage.S3;

/// <summary>The fields of an <c>s3</c> credential: the provider declares them, <see cref="S3StorageSettings"/> reads them.</summary>
public static class S3CredentialFields
{
    public static readonly CredentialField Bucket = new("bucket", "the bucket", Required: true);
    public static readonly CredentialField Region = new("region", "the bucket's region", Default: "us-east-1");
    public static readonly CredentialField ServiceUrl = new("service_url", "an S3-compatible endpoint (MinIO, …); absent for Amazon's own", CredentialFieldKind.Url);
    public static readonly CredentialField ForcePathStyle = new("force_path_style", "address the bucket in the path, not the host name", CredentialFieldKind.Flag);
    public static readonly CredentialField Prefix = new("prefix", "key prefix for every file");
    public static readonly CredentialField AccessKeyId = new("access_key_id", "the access key", Required: true, Aliases: ["access_key"]);
    public static readonly CredentialField SecretAccessKey = new("secret_access_key", "the access key's secret",
        Required: true, Secret: true, Aliases: ["secret_key", "secret"]);

    public static readonly IReadOnlyList<CredentialField> All = [Bucket, Region, ServiceUrl, ForcePathStyle, Prefix, AccessKeyId, SecretAccessKey];
}
