using System.Net;
using Google;
using Google.Apis.Auth.OAuth2;
using Google.Cloud.Storage.V1;

namespace Pixerve.Storage.Gcs;

/// <summary>Google Cloud Storage with a service-account key; <c>base_uri</c> points the client at another JSON API endpoint.</summary>
public sealed class GcsObjectStore : IObjectStore
{
    private readonly StorageClient _client;
    private readonly string _bucket;
    private readonly string? _prefix;

    public GcsObjectStore(GcsStorageSettings settings, GcsStorageOptions options)
    {
        _bucket = settings.Bucket;
        _prefix = settings.Prefix;
        var builder = new StorageClientBuilder
        {
            GoogleCredential = CredentialFactory.FromJson<ServiceAccountCredential>(settings.ServiceAccountJson).ToGoogleCredential(),
            UseJwtAccessWithScopes = options.UseJwtAccessWithScopes,
        };
        if (settings.BaseUri is { } baseUri) builder.BaseUri = baseUri.EndsWith('/') ? baseUri : baseUri + "/";
        _client = builder.Build();
    }

    /// <remarks>
    /// Create-only: <c>ifGenerationMatch=0</c> makes the upload succeed only where no object of that name exists
    /// (412 otherwise, atomically). The fingerprint goes in the object's metadata and is checked on an existing one.
    /// </remarks>
    public async Task<StoredObject> PutAsync(string relativePath, ReadOnlyMemory<byte> bytes, string contentType, string? fingerprint,
        CancellationToken cancellationToken)
    {
        var name = StoragePaths.Join(_prefix, relativePath);
        var location = $"gs://{_bucket}/{name}";
        var destination = new Google.Apis.Storage.v1.Data.Object
        {
            Bucket = _bucket,
            Name = name,
            ContentType = contentType,
            Metadata = fingerprint is not { Length: > 0 } ? null : new Dictionary<string, string> { [ObjectConflictException.FingerprintKey] = fingerprint },
        };
        using var body = ObjectBodies.ReadOnlyStream(bytes);
        try
        {
            await _client.UploadObjectAsync(destination, body, new UploadObjectOptions { IfGenerationMatch = 0 }, cancellationToken);
            return new StoredObject(location, bytes.Length, Existed: false);
        }
        catch (GoogleApiException e) when (e.HttpStatusCode == HttpStatusCode.PreconditionFailed)
        {
            var existing = await _client.GetObjectAsync(_bucket, name, cancellationToken: cancellationToken);
            ObjectConflictException.ThrowIfOtherWork(relativePath, fingerprint,
                existing.Metadata?.TryGetValue(ObjectConflictException.FingerprintKey, out var held) == true ? held : null);
            return new StoredObject(location, (long)(existing.Size ?? 0), Existed: true);
        }
    }

    public Task DeleteAsync(string relativePath, CancellationToken cancellationToken) =>
        _client.DeleteObjectAsync(_bucket, StoragePaths.Join(_prefix, relativePath), cancellationToken: cancellationToken);

    public bool IsTransient(Exception error) => error switch
    {
        GoogleApiException api => (int)api.HttpStatusCode >= 500 || api.HttpStatusCode == HttpStatusCode.TooManyRequests,
        _ => ObjectStoreErrors.IsNetwork(error),
    };

    public string Describe(Exception error) => error switch
    {
        GoogleApiException api => $"{(int)api.HttpStatusCode} {api.Error?.Message ?? api.Message}",
        _ => error.Message,
    };

    // The status only: Google's messages name the service account and the bucket.
    public string DescribeSafely(Exception error) => error switch
    {
        GoogleApiException api when (int)api.HttpStatusCode > 0 => $"the backend refused the write: status {(int)api.HttpStatusCode}",
        _ => ObjectStoreErrors.Safe(error),
    };

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
