using Pixerve.Storage.Credentials;

namespace Pixerve.Storage.Gcs;

/// <summary>The fields of a <c>gcs</c> credential: the provider declares them, <see cref="GcsStorageSettings"/> reads them.</summary>
public static class GcsCredentialFields
{
    public static readonly CredentialField Bucket = new("bucket", "the bucket", Required: true);
    public static readonly CredentialField Prefix = new("prefix", "name prefix for every file");
    public static readonly CredentialField BaseUri = new("base_uri", "another JSON API endpoint (an emulator, a proxy); absent for Google's own", CredentialFieldKind.Url);
    public static readonly CredentialField ServiceAccountJson = new("service_account_json",
        "the service-account key file, as an object or a string holding it; must have client_email and private_key",
        CredentialFieldKind.JsonObject, Required: true, Secret: true);

    public static readonly IReadOnlyList<CredentialField> All = [Bucket, Prefix, BaseUri, ServiceAccountJson];
}
