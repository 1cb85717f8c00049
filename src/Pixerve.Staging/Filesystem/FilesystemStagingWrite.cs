namespace Pixerve.Staging.Filesystem;

/// <summary>
/// A streamed write into a folder of its own under <c>incoming/</c>: the bytes go to its <c>data</c> file block by
/// block (one block in memory, the caller's), and the commit writes <c>meta.json</c> beside them and renames the folder
/// to the object's name. Until then nothing is under <c>objects/</c>; a write never committed is removed on dispose.
/// </summary>
internal sealed class FilesystemStagingWrite(FilesystemStagingStore store, string name, string folder) : IStagingWrite
{
    private readonly FileStream _data = new(Path.Combine(folder, FilesystemStagingStore.DataFile), FileMode.CreateNew, FileAccess.Write,
        FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
    private bool _committed;

    public int BlockSize => 4 * 1024 * 1024;

    public async Task AppendAsync(ReadOnlyMemory<byte> block, CancellationToken cancellationToken) =>
        await FilesystemStagingStore.Io(() => _data.WriteAsync(block, cancellationToken).AsTask());

    public async Task CommitAsync(ReadOnlyMemory<byte> last, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        await FilesystemStagingStore.Io(async () =>
        {
            await _data.WriteAsync(last, cancellationToken);
            await _data.FlushAsync(cancellationToken);
            _data.Flush(flushToDisk: true);
            await _data.DisposeAsync();
            FilesystemStagingStore.WriteMeta(folder, metadata, FilesystemStagingStore.NewTag());
            store.Publish(folder, name);
        });
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        await _data.DisposeAsync();
        if (!_committed) FilesystemStagingStore.RemoveFolder(folder);
    }
}
