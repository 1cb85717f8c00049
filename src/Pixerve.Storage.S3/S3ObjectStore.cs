using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Pixerve.Storage.S3;

/// <summary>Amazon S3 or any S3-compatible service (<c>service_url</c>, <c>force_path_style</c>).</summary>
public sealed class S3ObjectStore : IObjectStore
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string? _prefix;
    private readonly string _publicBase;

    public S3ObjectStore(S3StorageSettings settings, S3StorageOptions options)
    {
        _bucket = settings.Bucket;
        _prefix = settings.Prefix;
        var config = new AmazonS3Config
        {
            ForcePathStyle = settings.ForcePathStyle,
            // The storage pipeline retries with its own jittered backoff and circuit breaker; the SDK's retries would multiply them.
            MaxErrorRetry = 0,
            Timeout = options.RequestTimeout,
            // Plain bodies and no trailing checksums: S3-compatible servers differ in what they accept.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (settings.ServiceUrl is { } serviceUrl)
        {
            config.ServiceURL = serviceUrl;
            config.AuthenticationRegion = settings.Region;
            var root = serviceUrl.TrimEnd('/');
            var uri = new Uri(root);
            _publicBase = settings.ForcePathStyle ? $"{root}/{_bucket}" : $"{uri.Scheme}://{_bucket}.{uri.Authority}{uri.AbsolutePath.TrimEnd('/')}";
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(settings.Region);
            _publicBase = $"https://{_bucket}.s3.{settings.Region}.amazonaws.com";
        }

        _client = new AmazonS3Client(new BasicAWSCredentials(settings.AccessKeyId, settings.SecretAccessKey), config);
    }

    /// <remarks>
    /// Create-only in two steps. The PUT carries <c>If-None-Match: *</c>, which makes the create atomic where the
    /// server honours it (Amazon S3 and most S3-compatible servers: an existing key answers 412). Some do not and
    /// would replace the object silently (s3rver, which the tests run, ignores the header on PUT), so a HEAD first
    /// finds an existing object on those too; only a writer racing between that HEAD and the PUT can still replace
    /// one there. The fingerprint goes in <c>x-amz-meta-pixerve-fingerprint</c> and is checked on an existing object.
    /// </remarks>
    public async Task<StoredObject> PutAsync(string relativePath, ReadOnlyMemory<byte> bytes, string contentType, string? fingerprint,
        CancellationToken cancellationToken)
    {
        var key = StoragePaths.Join(_prefix, relativePath);
        var location = $"{_publicBase}/{key}";
        var existing = await HeadAsync(key, cancellationToken);
        if (existing is null)
        {
            using var body = ObjectBodies.ReadOnlyStream(bytes);
            var request = new PutObjectRequest
            {
                BucketName = _bucket,
                Key = key,
                InputStream = body,
                AutoCloseStream = false,
                ContentType = contentType,
                IfNoneMatch = "*",
                // Without this the SDK sends aws-chunked framing, which some S3-compatible servers store verbatim.
                UseChunkEncoding = false,
            };
            if (fingerprint is { Length: > 0 }) request.Metadata.Add(ObjectConflictException.FingerprintKey, fingerprint);
            try
            {
                await _client.PutObjectAsync(request, cancellationToken);
                return new StoredObject(location, bytes.Length, Existed: false);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                // Created meanwhile by another writer of the same name.
                existing = await HeadAsync(key, cancellationToken);
                if (existing is null) throw;
            }
        }

        ObjectConflictException.ThrowIfOtherWork(relativePath, fingerprint, existing.Metadata[ObjectConflictException.FingerprintKey]);
        return new StoredObject(location, existing.ContentLength, Existed: true);
    }

    /// <summary>The object's size and metadata; null when there is none of that key.</summary>
    private async Task<GetObjectMetadataResponse?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = key }, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task DeleteAsync(string relativePath, CancellationToken cancellationToken) =>
        _client.DeleteObjectAsync(_bucket, StoragePaths.Join(_prefix, relativePath), cancellationToken);

    public bool IsTransient(Exception error) => error switch
    {
        // ConditionalRequestConflict (409): a conditional write raced another; asked again, the HEAD finds the winner.
        AmazonS3Exception s3 => (int)s3.StatusCode >= 500 || s3.StatusCode == HttpStatusCode.TooManyRequests
                                || s3.ErrorCode is "SlowDown" or "RequestTimeout" or "ConditionalRequestConflict",
        _ => ObjectStoreErrors.IsNetwork(error),
    };

    public string Describe(Exception error) => error switch
    {
        AmazonS3Exception s3 when s3.ErrorCode is { Length: > 0 } => $"{s3.ErrorCode} ({(int)s3.StatusCode}): {s3.Message}",
        _ when ObjectStoreErrors.IsNetwork(error) => $"cannot reach {_publicBase}: {ObjectStoreErrors.Innermost(error).Message}",
        _ => error.Message,
    };

    // The status and S3's error code only: its messages and the endpoint can name the bucket, the account and the host.
    public string DescribeSafely(Exception error) => error switch
    {
        AmazonS3Exception s3 when (int)s3.StatusCode > 0 => s3.ErrorCode is { Length: > 0 } code && IsPlainCode(code)
            ? $"the backend refused the write: status {(int)s3.StatusCode} {code}"
            : $"the backend refused the write: status {(int)s3.StatusCode}",
        _ => ObjectStoreErrors.Safe(error),
    };

    /// <summary>S3 error codes are words (<c>AccessDenied</c>, <c>NoSuchBucket</c>); anything else is not shown.</summary>
    private static bool IsPlainCode(string code) => code.Length <= 64 && code.All(char.IsAsciiLetterOrDigit);

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
