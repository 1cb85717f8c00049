namespace Pixerve.Staging.S3;

/// <summary>
/// A streamed write: blocks of <see cref="S3StagingStore.PartSize"/> (S3's smallest part) go to a multipart upload
/// under <c>incoming/</c>, copied to the object's name with its metadata at the commit; within one block, one PUT. A
/// write disposed uncommitted aborts its upload, so nothing of it is ever an object.
/// </summary>
internal sealed class S3StagingWrite(S3StagingStore store, string key) : IStagingWrite
{
    private readonly S3MultipartUpload _upload = new(store, store.Incoming + Guid.NewGuid().ToString("N"));

    public int BlockSize => S3StagingStore.PartSize;

    public Task AppendAsync(ReadOnlyMemory<byte> block, CancellationToken cancellationToken) => _upload.AppendAsync(block, cancellationToken);

    public Task CommitAsync(ReadOnlyMemory<byte> last, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken) =>
        _upload.CommitAsync(last, metadata, S3StagingStore.NewTag(), key, cancellationToken);

    public async ValueTask DisposeAsync() => await _upload.AbortAsync();
}
