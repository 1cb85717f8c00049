using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Pixerve.Grains.Credentials;

namespace Pixerve.Grains.Storage;

/// <summary>Amazon S3 or any S3-compatible service (<c>service_url</c>, <c>force_path_style</c>).</summary>
public sealed class S3ObjectStore : IObjectStore
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string? _prefix;
    private readonly string _publicBase;

    public S3ObjectStore(CredentialDefinition credential)
    {
        _bucket = credential.Required("bucket");
        _prefix = credential.Optional("prefix");
        var region = credential.Optional("region") ?? "us-east-1";
        var pathStyle = credential.Flag("force_path_style");
        var config = new AmazonS3Config
        {
            ForcePathStyle = pathStyle,
            // StorageGrain retries with its own backoff and circuit breaker; the SDK's retries would multiply them.
            MaxErrorRetry = 0,
            Timeout = TimeSpan.FromSeconds(60),
            // Plain bodies and no trailing checksums: S3-compatible servers differ in what they accept.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (credential.Optional("service_url") is { } serviceUrl)
        {
            config.ServiceURL = serviceUrl;
            config.AuthenticationRegion = region;
            var root = serviceUrl.TrimEnd('/');
            var uri = new Uri(root);
            _publicBase = pathStyle ? $"{root}/{_bucket}" : $"{uri.Scheme}://{_bucket}.{uri.Authority}{uri.AbsolutePath.TrimEnd('/')}";
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
            _publicBase = $"https://{_bucket}.s3.{region}.amazonaws.com";
        }

        _client = new AmazonS3Client(new BasicAWSCredentials(credential.Required("access_key_id"), credential.Required("secret_access_key")), config);
    }

    public async Task<string> PutAsync(string relativePath, OutputFile file, CancellationToken cancellationToken)
    {
        var key = CredentialSettings.Join(_prefix, relativePath);
        using var body = ObjectStoreErrors.ReadOnlyStream(file.Bytes);
        await _client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _bucket,
            Key = key,
            InputStream = body,
            AutoCloseStream = false,
            ContentType = file.ContentType,
            // Without this the SDK sends aws-chunked framing, which some S3-compatible servers store verbatim.
            UseChunkEncoding = false,
        }, cancellationToken);
        return $"{_publicBase}/{key}";
    }

    public Task DeleteAsync(string relativePath, CancellationToken cancellationToken) =>
        _client.DeleteObjectAsync(_bucket, CredentialSettings.Join(_prefix, relativePath), cancellationToken);

    public bool IsTransient(Exception error) => error switch
    {
        AmazonS3Exception s3 => (int)s3.StatusCode >= 500 || s3.StatusCode == HttpStatusCode.TooManyRequests || s3.ErrorCode is "SlowDown" or "RequestTimeout",
        _ => ObjectStoreErrors.IsNetwork(error),
    };

    public string Describe(Exception error) => error switch
    {
        AmazonS3Exception s3 when s3.ErrorCode is { Length: > 0 } => $"{s3.ErrorCode} ({(int)s3.StatusCode}): {s3.Message}",
        _ when ObjectStoreErrors.IsNetwork(error) => $"cannot reach {_publicBase}: {Innermost(error).Message}",
        _ => error.Message,
    };

    private static Exception Innermost(Exception error)
    {
        while (error.InnerException is not null) error = error.InnerException;
        return error;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
