namespace Pixerve.Staging;

/// <summary>
/// One streamed write into the staging store. The caller hands over the bytes in blocks of <see cref="BlockSize"/>
/// (all full but the last), so the writer holds one block at a time whatever the upload's size; nothing is visible
/// until <see cref="CommitAsync"/>, and a write disposed without a commit leaves nothing readable behind.
/// </summary>
public interface IStagingWrite : IAsyncDisposable
{
    /// <summary>The size of every block but the last.</summary>
    int BlockSize { get; }

    /// <summary>Stores one full block (<see cref="BlockSize"/> bytes) after those before it.</summary>
    Task AppendAsync(ReadOnlyMemory<byte> block, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the last bytes (fewer than a block, possibly none) and makes the whole visible with its metadata. When no
    /// block came before, the whole is written by one request.
    /// </summary>
    Task CommitAsync(ReadOnlyMemory<byte> last, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken);
}
