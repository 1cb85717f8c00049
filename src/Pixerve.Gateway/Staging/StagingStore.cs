using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Pixerve.ServiceDefaults;

namespace Pixerve.Gateway.Staging;

/// <param name="JobId">The job the upload was staged for (content hash + the token's claim).</param>
public sealed record StagedUpload(string BlobName, string Hash, string JobId, long Length);

public sealed class UploadTooLargeException(long limit) : Exception($"the upload is larger than {limit} bytes")
{
    public long Limit { get; } = limit;
}

/// <summary>
/// Streams an upload into the staging container block by block while hashing it. Blocks are committed only
/// once the whole upload has arrived, so a refused or broken upload leaves nothing behind; an upload of one block
/// or less is written by a single request once it has all arrived.
/// </summary>
public sealed class StagingStore(BlobServiceClient blobs)
{
    private const int BlockSize = 4 * 1024 * 1024;

    /// <summary>
    /// A storage account that hangs (not answering, not refusing) must turn into a 503 an upload's client can retry,
    /// not an upload held for the SDK's default 100 s per try: one 4 MB block or a commit takes well under a second
    /// against a healthy account, so a try gets 5 s, and one more try after it (about 10 s in all).
    /// </summary>
    public static BlobClientOptions ClientOptions() => new()
    {
        Retry = { MaxRetries = 1, NetworkTimeout = TimeSpan.FromSeconds(5), Delay = TimeSpan.FromMilliseconds(200), Mode = Azure.Core.RetryMode.Exponential },
    };
    private readonly BlobContainerClient _container = blobs.GetBlobContainerClient(PixerveConfiguration.StagingContainer);
    private Task? _created;

    /// <param name="jobIdOf">The job id of the content hash, written into the blob's metadata for the staging sweep.</param>
    /// <param name="inspect">Sees every byte as it is staged (the GIF frame check); may throw to refuse the upload.</param>
    public async Task<StagedUpload> StageAsync(ReadOnlyMemory<byte> header, Stream rest, long maxBytes, Func<string, string> jobIdOf,
        CancellationToken cancellationToken, Action<ReadOnlyMemory<byte>>? inspect = null)
    {
        await EnsureContainerAsync();
        using var span = PixerveTracing.Source.StartActivity("stage upload");

        var blobName = $"uploads/{Guid.NewGuid():N}";
        var blob = _container.GetBlockBlobClient(blobName);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var blockIds = new List<string>();
        var block = new byte[BlockSize];
        header.CopyTo(block);
        var filled = header.Length;
        long total = header.Length;

        async Task Flush()
        {
            if (filled == 0) return;
            var id = Convert.ToBase64String(BitConverter.GetBytes(blockIds.Count));
            using var content = new MemoryStream(block, 0, filled, writable: false);
            await blob.StageBlockAsync(id, content, cancellationToken: cancellationToken);
            blockIds.Add(id);
            filled = 0;
        }

        sha.AppendData(header.Span);
        inspect?.Invoke(header);
        while (true)
        {
            if (filled == BlockSize) await Flush();
            var read = await rest.ReadAsync(block.AsMemory(filled), cancellationToken);
            if (read == 0) break;
            total += read;
            if (total > maxBytes) throw new UploadTooLargeException(maxBytes);
            sha.AppendData(block.AsSpan(filled, read));
            inspect?.Invoke(block.AsMemory(filled, read));
            filled += read;
        }

        var hash = Convert.ToHexStringLower(sha.GetHashAndReset());
        var jobId = jobIdOf(hash);
        var metadata = new Dictionary<string, string> { [PixerveConfiguration.StagedJobIdMetadata] = jobId };
        if (blockIds.Count == 0)
        {
            // The whole upload fits one block (most photos do): one request writes it, where staging a block and
            // committing the list would take two. Nothing of it exists before that request succeeds, as before.
            using var whole = new MemoryStream(block, 0, filled, writable: false);
            await blob.UploadAsync(whole, new BlobUploadOptions { Metadata = metadata }, cancellationToken);
        }
        else
        {
            await Flush();
            await blob.CommitBlockListAsync(blockIds, new CommitBlockListOptions { Metadata = metadata }, cancellationToken);
        }
        span?.SetTag("pixerve.hash", hash);
        span?.SetTag("pixerve.bytes", total);
        return new StagedUpload(blobName, hash, jobId, total);
    }

    private async Task EnsureContainerAsync()
    {
        var created = _created ??= _container.CreateIfNotExistsAsync();
        try
        {
            await created;
        }
        catch
        {
            _created = null;
            throw;
        }
    }

    public Task DeleteAsync(string blobName) => _container.DeleteBlobIfExistsAsync(blobName);

    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        await EnsureContainerAsync();
        await _container.GetPropertiesAsync(cancellationToken: cancellationToken);
    }

    /// <summary>Names of the staged blobs; tests use it to prove a refused upload left nothing behind.</summary>
    public async Task<List<string>> ListAsync(CancellationToken cancellationToken)
    {
        await EnsureContainerAsync();
        var names = new List<string>();
        await foreach (var item in _container.GetBlobsAsync(cancellationToken: cancellationToken)) names.Add(item.Name);
        return names;
    }
}
