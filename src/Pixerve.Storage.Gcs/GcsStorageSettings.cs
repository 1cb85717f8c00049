namespace Pixerve.Storage.Gcs;

/// <summary>
/// One <c>gcs</c> credential's values for one store (declared in <see cref="GcsCredentialFields"/>): a bucket and the
/// service-account key that may write to it.
/// </summary>
public sealed record GcsStorageSettings
{
    public required string Bucket { get; init; }
    public string? Prefix { get; init; }
    /// <summary>Another JSON API endpoint (an emulator, a proxy); null for Google's own.</summary>
    public string? BaseUri { get; init; }
    /// <summary>The service-account key file's JSON.</summary>
    public required string ServiceAccountJson { get; init; }

    public static GcsStorageSettings From(StorageCredential credential) => new()
    {
        Bucket = credential.Required(GcsCredentialFields.Bucket),
        Prefix = credential.Optional(GcsCredentialFields.Prefix),
        BaseUri = credential.Optional(GcsCredentialFields.BaseUri),
        ServiceAccountJson = credential.Required(GcsCredentialFields.ServiceAccountJson),
    };
}
