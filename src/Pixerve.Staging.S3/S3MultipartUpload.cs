using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Pixerve.Staging.S3;

/// <summary>
/// Bytes written to S3 a part at a time (each at least <see cref="S3StagingStore.PartSize"/> but the last), so none is
/// held whole. Started on the first full part; an upload that never gets one is written by a single PUT at the commit.
/// When the metadata is not known at the start (a streamed write learns its job id once it has hashed everything),
/// the parts go to a key under <c>incoming/</c> and the completed object is copied to its name with its metadata
/// (S3 sets metadata only when an object is created), then removed.
/// </summary>
internal sealed class S3MultipartUpload(S3StagingStore store, string uploadKey, IReadOnlyDictionary<string, string>? metadata = null, string? tag = null)
{
    private readonly List<PartETag> _parts = [];
    private string? _uploadId;
    private bool _completed;

    public async Task AppendAsync(ReadOnlyMemory<byte> part, CancellationToken cancellationToken)
    {
        if (_uploadId is null)
        {
            var start = new InitiateMultipartUploadRequest { BucketName = store.Bucket, Key = uploadKey };
            if (metadata is not null) S3StagingStore.AddMetadata(start.Metadata, metadata, tag!);
            _uploadId = (await S3StagingStore.Call(() => store.Client.InitiateMultipartUploadAsync(start, cancellationToken))).UploadId;
        }

        using var body = S3StagingStore.ReadOnly(part);
        var number = _parts.Count + 1;
        var uploaded = await S3StagingStore.Call(() => store.Client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = store.Bucket,
            Key = uploadKey,
            UploadId = _uploadId,
            PartNumber = number,
            InputStream = body,
            PartSize = part.Length,
            UseChunkEncoding = false,
        }, cancellationToken));
        _parts.Add(new PartETag(number, uploaded.ETag));
    }

    /// <summary>Writes <paramref name="last"/> and makes the whole <paramref name="key"/> with <paramref name="metadata"/> and <paramref name="tag"/>.</summary>
    public async Task CommitAsync(ReadOnlyMemory<byte> last, IReadOnlyDictionary<string, string> metadata, string tag, string key, CancellationToken cancellationToken)
    {
        if (_uploadId is null)
        {
            // Within one part (most photos): one request writes it, and nothing of it exists before.
            using var whole = S3StagingStore.ReadOnly(last);
            var put = new PutObjectRequest
            {
                BucketName = store.Bucket,
                Key = key,
                InputStream = whole,
                AutoCloseStream = false,
                UseChunkEncoding = false,
            };
            S3StagingStore.AddMetadata(put.Metadata, metadata, tag);
            await S3StagingStore.Call(() => store.Client.PutObjectAsync(put, cancellationToken));
            _completed = true;
            return;
        }

        if (last.Length > 0) await AppendAsync(last, cancellationToken);
        await S3StagingStore.Call(() => store.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = store.Bucket,
            Key = uploadKey,
            UploadId = _uploadId,
            PartETags = _parts,
        }, cancellationToken));
        _completed = true;
        if (uploadKey == key) return;
        try
        {
            var copy = new CopyObjectRequest
            {
                SourceBucket = store.Bucket,
                SourceKey = uploadKey,
                DestinationBucket = store.Bucket,
                DestinationKey = key,
                MetadataDirective = S3MetadataDirective.REPLACE,
            };
            S3StagingStore.AddMetadata(copy.Metadata, metadata, tag);
            await S3StagingStore.Call(() => store.Client.CopyObjectAsync(copy, cancellationToken));
        }
        finally
        {
            await S3StagingStore.Call(() => store.Client.DeleteObjectAsync(store.Bucket, uploadKey, CancellationToken.None));
        }
    }

    /// <summary>Drops the parts of an upload never completed (best effort: a bucket lifecycle rule removes what is left).</summary>
    public async Task AbortAsync()
    {
        if (_uploadId is null || _completed) return;
        _completed = true;
        try
        {
            await store.Client.AbortMultipartUploadAsync(store.Bucket, uploadKey, _uploadId, CancellationToken.None);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException or OperationCanceledException)
        {
            // Nothing of it is visible either way: the parts of an aborted or abandoned upload are never an object.
        }
    }
}
