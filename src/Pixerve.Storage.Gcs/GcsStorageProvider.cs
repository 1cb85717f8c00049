using System.Text.Json;
using Microsoft.Extensions.Options;
using Pixerve.Storage.Credentials;

namespace Pixerve.Storage.Gcs;

public sealed class GcsStorageProvider(IOptions<GcsStorageOptions> options) : IStorageProvider
{
    public const string Name = "gcs";

    string IStorageProvider.Name => Name;

    public string Description => "Google Cloud Storage, with a service-account key";

    public IReadOnlyList<CredentialField> Fields => GcsCredentialFields.All;

    /// <summary>The key must be one the SDK can sign with: checked when posted, not at the first job.</summary>
    public IEnumerable<CredentialFieldError> Validate(IReadOnlyDictionary<string, string> fields)
    {
        var field = GcsCredentialFields.ServiceAccountJson.Name;
        using var key = JsonDocument.Parse(fields[field]);
        if (!key.RootElement.TryGetProperty("client_email", out _) || !key.RootElement.TryGetProperty("private_key", out _))
            yield return new(field, "must be a service-account key with client_email and private_key");
    }

    public IObjectStore Open(StorageCredential credential) => new GcsObjectStore(GcsStorageSettings.From(credential), options.Value);
}
