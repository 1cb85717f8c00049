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

    public async Task<string> PutAsync(string relativePath, ReadOnlyMemory<byte> bytes, string contentType, CancellationToken cancellationToken)
    {
        var name = StoragePaths.Join(_prefix, relativePath);
        using var body = ObjectBodies.ReadOnlyStream(bytes);
        await _client.UploadObjectAsync(_bucket, name, contentType, body, cancellationToken: cancellationToken);
        return $"gs://{_bucket}/{name}";
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
