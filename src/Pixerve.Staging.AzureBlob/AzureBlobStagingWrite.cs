using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Pixerve.Staging.AzureBlob;

/// <summary>
/// Blocks staged as they come and committed at the end, so a refused or broken upload leaves nothing behind (Azure
/// drops uncommitted blocks); an upload of one block or less is written by one request once it has all arrived.
/// </summary>
internal sealed class AzureBlobStagingWrite(BlockBlobClient blob) : IStagingWrite
{
    private readonly List<string> _blockIds = [];

    public int BlockSize => 4 * 1024 * 1024;

    public async Task AppendAsync(ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        var id = Convert.ToBase64String(BitConverter.GetBytes(_blockIds.Count));
        using var content = AzureBlobStagingStore.ReadOnly(block);
        await blob.StageBlockAsync(id, content, cancellationToken: cancellationToken);
        _blockIds.Add(id);
    }

    public async Task CommitAsync(ReadOnlyMemory<byte> last, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var copy = new Dictionary<string, string>(metadata);
        if (_blockIds.Count == 0)
        {
            // The whole upload fits one block (most photos do): one request writes it, where staging a block and
            // committing the list would take two. Nothing of it exists before that request succeeds.
            using var whole = AzureBlobStagingStore.ReadOnly(last);
            await blob.UploadAsync(whole, new BlobUploadOptions { Metadata = copy }, cancellationToken);
            return;
        }

        if (last.Length > 0) await AppendAsync(last, cancellationToken);
        await blob.CommitBlockListAsync(_blockIds, new CommitBlockListOptions { Metadata = copy }, cancellationToken);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
