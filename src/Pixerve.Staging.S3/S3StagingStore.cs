using System.Net;
using System.Runtime.CompilerServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Pixerve.Staging.S3;

/// <summary>
/// Staging in an S3 bucket, under the configured prefix:
/// <list type="bullet">
/// <item><c>objects/{name}</c>: each committed object, its metadata in <c>x-amz-meta-*</c>, its tag in <c>x-amz-meta-pixerve-tag</c>;</item>
/// <item><c>incoming/{guid}</c>: a streamed write's multipart upload until it is committed;</item>
/// <item><c>parts/{name}/{offset:D19}{length:D10}</c>: a parted object's parts until they are committed;</item>
/// <item><c>keys/data-protection/{name}.xml</c>: the key ring.</item>
/// </list>
/// The tag is a GUID of this store's, not the ETag: a copy that replaces only the metadata keeps the ETag (it is the
/// content's digest), so the ETag could not tell a metadata update happened. S3 sets metadata only when an object is
/// created, so changing it is a copy of the object onto itself.
/// </summary>
/// <remarks>
/// Unlike Azure's, some methods take more than one request: a metadata update is a HEAD and a copy, a listing is a
/// HEAD per object (ListObjectsV2 returns no metadata), a delete is a HEAD, the delete and a listing of parts.
/// </remarks>
public sealed class S3StagingStore : IStagingStore, IDisposable
{
    /// <summary>The metadata entry that holds the tag; never returned as the object's metadata.</summary>
    internal const string TagKey = "pixerve-tag";
    private const string MetaPrefix = "x-amz-meta-";
    private const string CopySourceHeader = "x-amz-copy-source";

    /// <summary>S3's smallest part but the last.</summary>
    public const int PartSize = 5 * 1024 * 1024;

    private readonly string _objects;
    private readonly string _parts;

    public S3StagingStore(S3StagingSettings settings)
    {
        Bucket = settings.Bucket;
        _objects = settings.Prefix + "objects/";
        _parts = settings.Prefix + "parts/";
        Incoming = settings.Prefix + "incoming/";
        var config = new AmazonS3Config
        {
            ForcePathStyle = settings.ForcePathStyle,
            Timeout = TimeSpan.FromSeconds(60),
            // Plain bodies and no trailing checksums: S3-compatible servers differ in what they accept.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (settings.ServiceUrl is { } serviceUrl)
        {
            config.ServiceURL = serviceUrl;
            config.AuthenticationRegion = settings.Region ?? "us-east-1";
        }
        else if (settings.Region is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        // Neither key set: the SDK's default chain (environment, profile, instance or pod role, web identity).
        Client = settings.AccessKeyId is { } id && settings.SecretAccessKey is { } secret
            ? new AmazonS3Client(new BasicAWSCredentials(id, secret), config)
            : new AmazonS3Client(config);
        // The SDK escapes the slashes of a copy's source (bucket%2Fkey); some S3-compatible servers (s3rver, which the
        // tests run) take the escaped whole for a bucket name. S3 accepts the slashes as they are, as other SDKs send them.
        Client.BeforeRequestEvent += (_, e) =>
        {
            if (e is WebServiceRequestEventArgs request && request.Headers.TryGetValue(CopySourceHeader, out var source))
                request.Headers[CopySourceHeader] = source.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        };
        KeyRing = new S3KeyRingFolder(this, settings.Prefix + "keys/data-protection/");
    }

    internal AmazonS3Client Client { get; }

    internal string Bucket { get; }

    internal string Incoming { get; }

    public string Provider => StagingSettings.S3;

    public IKeyRingFolder KeyRing { get; }

    public Task<IStagingWrite> StartWriteAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult<IStagingWrite>(new S3StagingWrite(this, Key(name)));

    public async Task ReadToAsync(string name, Stream destination, CancellationToken cancellationToken)
    {
        await using var stream = await OpenReadAsync(name, cancellationToken);
        await stream.CopyToAsync(destination, cancellationToken);
    }

    public async Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Call(() => Client.GetObjectAsync(Bucket, Key(name), cancellationToken));
            return response.ResponseStream;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new StagedObjectNotFoundException(name, e);
        }
    }

    public async Task<bool> DeleteIfExistsAsync(string name, CancellationToken cancellationToken)
    {
        // S3 answers a delete the same whether there was an object or not: the HEAD tells which.
        var existed = await HeadAsync(Key(name), cancellationToken) is not null;
        if (existed) await Call(() => Client.DeleteObjectAsync(Bucket, Key(name), cancellationToken));
        await DeleteUnderAsync(PartsOf(name), cancellationToken);
        return existed;
    }

    public async IAsyncEnumerable<StagedObject> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = _objects };
        while (true)
        {
            var page = await Call(() => Client.ListObjectsV2Async(request, cancellationToken));
            foreach (var item in page.S3Objects ?? [])
            {
                // The listing has no metadata: a HEAD per object. One deleted meanwhile is skipped.
                var name = item.Key[_objects.Length..];
                if (await GetAsync(name, cancellationToken) is { } found) yield return found;
            }

            if (page.IsTruncated != true || page.NextContinuationToken is null) yield break;
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public async Task<StagedObject?> GetAsync(string name, CancellationToken cancellationToken) =>
        await HeadAsync(Key(name), cancellationToken) is { } head ? Object(name, head) : null;

    /// <remarks>
    /// S3 has no conditional metadata update: this reads the tag (HEAD) and, when it matches, copies the object onto
    /// itself with the new metadata and a new tag. Without the server's own conditional writes it is check-then-write:
    /// two updates racing between one's HEAD and its copy can both succeed, the later winning. The copy is conditional
    /// on the ETag the HEAD saw, so at least the bytes cannot have changed in between.
    /// </remarks>
    public async Task<string?> TrySetMetadataAsync(string name, IReadOnlyDictionary<string, string> metadata, string tag, CancellationToken cancellationToken)
    {
        var key = Key(name);
        if (await HeadAsync(key, cancellationToken) is not { } head || TagOf(head) != tag) return null;
        var next = NewTag();
        var copy = new CopyObjectRequest
        {
            SourceBucket = Bucket,
            SourceKey = key,
            DestinationBucket = Bucket,
            DestinationKey = key,
            ETagToMatch = head.ETag,
            MetadataDirective = S3MetadataDirective.REPLACE,
            ContentType = head.Headers.ContentType,
        };
        AddMetadata(copy.Metadata, metadata, next);
        try
        {
            await Call(() => Client.CopyObjectAsync(copy, cancellationToken));
            return next;
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed)
        {
            return null;
        }
    }

    /// <remarks>
    /// An empty object with the metadata. The PUT carries <c>If-None-Match: *</c> (atomic where the server honours it);
    /// a HEAD first finds an existing one on servers that ignore the header.
    /// </remarks>
    public async Task<string> CreatePartedAsync(string name, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var key = Key(name);
        if (await HeadAsync(key, cancellationToken) is not null) throw new InvalidOperationException($"the staged object {name} exists already");
        var tag = NewTag();
        var put = new PutObjectRequest
        {
            BucketName = Bucket,
            Key = key,
            InputStream = new MemoryStream([], writable: false),
            IfNoneMatch = "*",
            UseChunkEncoding = false,
        };
        AddMetadata(put.Metadata, metadata, tag);
        try
        {
            await Call(() => Client.PutObjectAsync(put, cancellationToken));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            throw new InvalidOperationException($"the staged object {name} exists already", e);
        }

        return tag;
    }

    public async Task<PartedObject?> GetPartedAsync(string name, CancellationToken cancellationToken)
    {
        if (await GetAsync(name, cancellationToken) is not { } found) return null;
        var parts = new List<StagedPart>();
        if (found.Length == 0)
            await foreach (var item in ListUnderAsync(PartsOf(name), cancellationToken))
                if (StagedPart.Parse(item.Key.AsSpan(PartsOf(name).Length)) is { } part && part.Length == item.Size)
                    parts.Add(part);
        return new PartedObject(found, parts);
    }

    public async Task StagePartAsync(string name, long offset, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        using var body = ReadOnly(bytes);
        await Call(() => Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Bucket,
            Key = PartsOf(name) + new StagedPart(offset, bytes.Length).Name,
            InputStream = body,
            AutoCloseStream = false,
            UseChunkEncoding = false,
        }, cancellationToken));
    }

    /// <remarks>
    /// The parts are read back in order and written as one new object (multipart when longer than a part), which
    /// replaces the empty one; then the parts are deleted. Conditional as <see cref="TrySetMetadataAsync"/> is: the tag
    /// is checked by a HEAD before, so two commits racing past it write the same bytes twice.
    /// </remarks>
    public async Task<string?> CommitPartsAsync(string name, IReadOnlyList<StagedPart> parts, IReadOnlyDictionary<string, string> metadata, string tag,
        CancellationToken cancellationToken)
    {
        var key = Key(name);
        if (await HeadAsync(key, cancellationToken) is not { } head || TagOf(head) != tag || head.ContentLength > 0) return null;
        var next = NewTag();
        // The metadata is known now: the multipart upload goes to the object's own key, no copy after.
        var upload = new S3MultipartUpload(this, key, metadata, next);
        try
        {
            var buffer = new byte[parts.Count == 0 ? 0 : (int)Math.Min(PartSize, parts.Sum(p => p.Length))];
            var filled = 0;
            foreach (var part in parts)
            {
                GetObjectResponse response;
                try
                {
                    response = await Call(() => Client.GetObjectAsync(Bucket, PartsOf(name) + part.Name, cancellationToken));
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                    await upload.AbortAsync();
                    return null;
                }

                using (response)
                {
                    while (true)
                    {
                        var read = await response.ResponseStream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                        if (read == 0) break;
                        filled += read;
                        if (filled == buffer.Length)
                        {
                            await upload.AppendAsync(buffer, cancellationToken);
                            filled = 0;
                        }
                    }
                }
            }

            await upload.CommitAsync(buffer.AsMemory(0, filled), metadata, next, key, cancellationToken);
        }
        catch
        {
            await upload.AbortAsync();
            throw;
        }

        await DeleteUnderAsync(PartsOf(name), cancellationToken);
        return next;
    }

    public async Task ProbeAsync(CancellationToken cancellationToken) =>
        await Call(() => Client.HeadBucketAsync(new HeadBucketRequest { BucketName = Bucket }, cancellationToken));

    public void Dispose() => Client.Dispose();

    /// <summary>The object's size and metadata; null when there is none of that key.</summary>
    internal async Task<GetObjectMetadataResponse?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await Call(() => Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = key }, cancellationToken));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    internal async IAsyncEnumerable<S3Object> ListUnderAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix };
        while (true)
        {
            var page = await Call(() => Client.ListObjectsV2Async(request, cancellationToken));
            foreach (var item in page.S3Objects ?? []) yield return item;
            if (page.IsTruncated != true || page.NextContinuationToken is null) yield break;
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    private async Task DeleteUnderAsync(string prefix, CancellationToken cancellationToken)
    {
        await foreach (var item in ListUnderAsync(prefix, cancellationToken))
            await Call(() => Client.DeleteObjectAsync(Bucket, item.Key, cancellationToken));
    }

    /// <summary>
    /// Runs one S3 request, turning a store that cannot be reached or fails on its side (a transport error, a 5xx,
    /// throttling) into <see cref="StagingUnavailableException"/>. S3's own refusals (404, 412, 403) pass as they are.
    /// </summary>
    internal static async Task<T> Call<T>(Func<Task<T>> request)
    {
        try
        {
            return await request();
        }
        catch (AmazonS3Exception e) when ((int)e.StatusCode >= 500 || e.StatusCode == HttpStatusCode.TooManyRequests || e.ErrorCode is "SlowDown")
        {
            throw new StagingUnavailableException($"the staging bucket answered {(int)e.StatusCode} {e.ErrorCode}", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or AmazonServiceException { StatusCode: 0 } ||
                                  e is TaskCanceledException && e.InnerException is TimeoutException)
        {
            throw new StagingUnavailableException($"the staging bucket cannot be reached: {Innermost(e).Message}", e);
        }
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is { } inner) e = inner;
        return e;
    }

    internal string Key(string name)
    {
        if (name.Length == 0 || name.StartsWith('/') || name.Split('/').Any(s => s is "" or "." or ".."))
            throw new ArgumentException($"'{name}' is not a staged object's name", nameof(name));
        return _objects + name;
    }

    private string PartsOf(string name)
    {
        Key(name);
        return _parts + name + "/";
    }

    internal static string NewTag() => Guid.NewGuid().ToString("N");

    internal static void AddMetadata(MetadataCollection into, IReadOnlyDictionary<string, string> metadata, string tag)
    {
        foreach (var (key, value) in metadata) into.Add(key, value);
        into.Add(TagKey, tag);
    }

    private static string? TagOf(GetObjectMetadataResponse head) => head.Metadata[TagKey];

    private static StagedObject Object(string name, GetObjectMetadataResponse head)
    {
        var metadata = new Dictionary<string, string>();
        foreach (var key in head.Metadata.Keys)
        {
            var bare = key.StartsWith(MetaPrefix, StringComparison.OrdinalIgnoreCase) ? key[MetaPrefix.Length..] : key;
            if (!string.Equals(bare, TagKey, StringComparison.OrdinalIgnoreCase)) metadata[bare.ToLowerInvariant()] = head.Metadata[key];
        }

        DateTimeOffset? modified = head.LastModified is { } at ? new DateTimeOffset(at.ToUniversalTime(), TimeSpan.Zero) : null;
        return new StagedObject(name, head.ContentLength, modified, metadata, TagOf(head) ?? head.ETag ?? "");
    }

    /// <summary>The bytes as a stream, without copying them when they are an array's (as the gateway's buffers are).</summary>
    internal static MemoryStream ReadOnly(ReadOnlyMemory<byte> bytes) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var array)
            ? new MemoryStream(array.Array!, array.Offset, array.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);
}
