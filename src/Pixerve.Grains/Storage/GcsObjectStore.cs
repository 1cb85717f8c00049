using System.Net;
using Google;
using Google.Apis.Auth.OAuth2;
using Google.Cloud.Storage.V1;
using Pixerve.Grains.Credentials;

namespace Pixerve.Grains.Storage;

/// <summary>Google Cloud Storage with a service-account key; <c>base_uri</c> points the client at another JSON API endpoint.</summary>
public sealed class GcsObjectStore : IObjectStore
{
    private readonly StorageClient _client;
    private readonly string _bucket;
    private readonly string? _prefix;

    public GcsObjectStore(CredentialDefinition credential)
    {
        _bucket = credential.Required("bucket");
        _prefix = credential.Optional("prefix");
        var builder = new StorageClientBuilder
        {
            GoogleCredential = CredentialFactory.FromJson<ServiceAccountCredential>(credential.Required("service_account_json")).ToGoogleCredential(),
            // Self-signed JWTs: no round trip to the token endpoint, and nothing to refresh.
            UseJwtAccessWithScopes = true,
        };
        if (credential.Optional("base_uri") is { } baseUri) builder.BaseUri = baseUri.EndsWith('/') ? baseUri : baseUri + "/";
        _client = builder.Build();
    }

    public async Task<string> PutAsync(string relativePath, OutputFile file, CancellationToken cancellationToken)
    {
        var name = CredentialSettings.Join(_prefix, relativePath);
        using var body = ObjectStoreErrors.ReadOnlyStream(file.Bytes);
        await _client.UploadObjectAsync(_bucket, name, file.ContentType, body, cancellationToken: cancellationToken);
        return $"gs://{_bucket}/{name}";
    }

    public Task DeleteAsync(string relativePath, CancellationToken cancellationToken) =>
        _client.DeleteObjectAsync(_bucket, CredentialSettings.Join(_prefix, relativePath), cancellationToken: cancellationToken);

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

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
