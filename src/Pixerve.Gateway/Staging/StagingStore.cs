using System.Security.Cryptography;
using Pixerve.ServiceDefaults;
using Pixerve.Staging;

namespace Pixerve.Gateway.Staging;

/// <param name="JobId">The job the upload was staged for (content hash + the token's claim).</param>
public sealed record StagedUpload(string BlobName, string Hash, string JobId, long Length);

public sealed class UploadTooLargeException(long limit) : Exception($"the upload is larger than {limit} bytes")
{
    public long Limit { get; } = limit;
}

/// <summary>
/// Streams an upload into the staging store block by block while hashing it. Nothing of it is visible until the whole
/// upload has arrived and is committed with its job's id, so a refused or broken upload leaves nothing behind; an
/// upload of one block or less is written by a single request once it has all arrived (<see cref="IStagingWrite"/>).
/// </summary>
public sealed class StagingStore(IStagingStore store)
{
    /// <param name="jobIdOf">The job id of the content hash, written into the object's metadata for the staging sweep.</param>
    /// <param name="inspect">Sees every byte as it is staged (the GIF frame check); may throw to refuse the upload.</param>
    public async Task<StagedUpload> StageAsync(ReadOnlyMemory<byte> header, Stream rest, long maxBytes, Func<string, string> jobIdOf,
        CancellationToken cancellationToken, Action<ReadOnlyMemory<byte>>? inspect = null)
    {
        using var span = PixerveTracing.Source.StartActivity("stage upload");

        var blobName = $"uploads/{Guid.NewGuid():N}";
        await using var write = await store.StartWriteAsync(blobName, cancellationToken);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var blockSize = write.BlockSize;
        var block = new byte[Math.Max(blockSize, header.Length)];
        header.CopyTo(block);
        var filled = header.Length;
        long total = header.Length;

        sha.AppendData(header.Span);
        inspect?.Invoke(header);
        while (true)
        {
            if (filled >= blockSize)
            {
                await write.AppendAsync(block.AsMemory(0, blockSize), cancellationToken);
                // A header longer than a block (never, with today's sizes) leaves its tail for the next block.
                block.AsSpan(blockSize, filled - blockSize).CopyTo(block);
                filled -= blockSize;
            }

            var read = await rest.ReadAsync(block.AsMemory(filled, blockSize - filled), cancellationToken);
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
        await write.CommitAsync(block.AsMemory(0, filled), metadata, cancellationToken);
        span?.SetTag("pixerve.hash", hash);
        span?.SetTag("pixerve.bytes", total);
        return new StagedUpload(blobName, hash, jobId, total);
    }

    public Task DeleteAsync(string blobName) => store.DeleteIfExistsAsync(blobName, CancellationToken.None);

    public Task ProbeAsync(CancellationToken cancellationToken) => store.ProbeAsync(cancellationToken);

    /// <summary>Names of the staged objects; tests use it to prove a refused upload left nothing behind.</summary>
    public async Task<List<string>> ListAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var item in store.ListAsync(cancellationToken)) names.Add(item.Name);
        return names;
    }
}
