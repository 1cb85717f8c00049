using System.Runtime.CompilerServices;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Pixerve.Staging.AzureBlob;

/// <summary>
/// Staging in the blob container <c>pixerve-staging</c>: each object a block blob whose metadata is the object's, whose
/// ETag is its tag. A streamed write stages blocks and commits their list (or, within one block, uploads the whole in
/// one request); a parted object is a blob created with an empty block list whose parts are uncommitted blocks named by
/// their offset and length, so any gateway reads them back from the block list. The key ring is in its own container,
/// <c>pixerve-keys</c>. One request per method, as before there was a staging abstraction (tests pin a job's count).
/// </summary>
public sealed class AzureBlobStagingStore : IStagingStore
{
    public const string Container = "pixerve-staging";
    public const string KeyContainer = "pixerve-keys";

    private readonly BlobContainerClient _container;
    private Task? _created;

    public AzureBlobStagingStore(BlobServiceClient blobs)
    {
        _container = blobs.GetBlobContainerClient(Container);
        KeyRing = new AzureBlobKeyRingFolder(blobs.GetBlobContainerClient(KeyContainer));
    }

    public string Provider => StagingSettings.AzureBlob;

    public IKeyRingFolder KeyRing { get; }

    public async Task<IStagingWrite> StartWriteAsync(string name, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync();
        return new AzureBlobStagingWrite(_container.GetBlockBlobClient(name));
    }

    public async Task ReadToAsync(string name, Stream destination, CancellationToken cancellationToken)
    {
        try
        {
            await _container.GetBlobClient(name).DownloadToAsync(destination, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new StagedObjectNotFoundException(name, e);
        }
    }

    public async Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await _container.GetBlobClient(name).DownloadStreamingAsync(cancellationToken: cancellationToken)).Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new StagedObjectNotFoundException(name, e);
        }
    }

    public async Task<bool> DeleteIfExistsAsync(string name, CancellationToken cancellationToken) =>
        (await _container.DeleteBlobIfExistsAsync(name, cancellationToken: cancellationToken)).Value;

    public async IAsyncEnumerable<StagedObject> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var blobs = _container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix: null, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await blobs.MoveNextAsync()) yield break;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // No upload was ever staged: there is no container.
                yield break;
            }

            var blob = blobs.Current;
            yield return new StagedObject(blob.Name, blob.Properties.ContentLength ?? 0, blob.Properties.LastModified,
                new Dictionary<string, string>(blob.Metadata), blob.Properties.ETag?.ToString() ?? "");
        }
    }

    public async Task<StagedObject?> GetAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var properties = (await _container.GetBlobClient(name).GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            return Object(name, properties);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<string?> TrySetMetadataAsync(string name, IReadOnlyDictionary<string, string> metadata, string tag, CancellationToken cancellationToken)
    {
        try
        {
            var set = await _container.GetBlobClient(name).SetMetadataAsync(new Dictionary<string, string>(metadata),
                new BlobRequestConditions { IfMatch = new ETag(tag) }, cancellationToken);
            return set.Value.ETag.ToString();
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return null;
        }
    }

    public async Task<string> CreatePartedAsync(string name, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync();
        var created = await _container.GetBlockBlobClient(name).CommitBlockListAsync([], new CommitBlockListOptions
        {
            Metadata = new Dictionary<string, string>(metadata),
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        }, cancellationToken);
        return created.Value.ETag.ToString();
    }

    public async Task<PartedObject?> GetPartedAsync(string name, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlockBlobClient(name);
        BlobProperties properties;
        BlockList blocks;
        try
        {
            properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            blocks = (await blob.GetBlockListAsync(BlockListTypes.All, cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }

        var parts = blocks.UncommittedBlocks
            .Select(b => (Part: PartOf(b.Name), b.SizeLong))
            .Where(b => b.Part is { } p && p.Length == b.SizeLong)
            .Select(b => b.Part!.Value)
            .ToList();
        return new PartedObject(Object(name, properties), parts);
    }

    public async Task StagePartAsync(string name, long offset, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        using var content = ReadOnly(bytes);
        await _container.GetBlockBlobClient(name).StageBlockAsync(BlockId(new StagedPart(offset, bytes.Length)), content, cancellationToken: cancellationToken);
    }

    public async Task<string?> CommitPartsAsync(string name, IReadOnlyList<StagedPart> parts, IReadOnlyDictionary<string, string> metadata, string tag,
        CancellationToken cancellationToken)
    {
        try
        {
            var committed = await _container.GetBlockBlobClient(name).CommitBlockListAsync(parts.Select(BlockId), new CommitBlockListOptions
            {
                Metadata = new Dictionary<string, string>(metadata),
                Conditions = new BlobRequestConditions { IfMatch = new ETag(tag) },
            }, cancellationToken);
            return committed.Value.ETag.ToString();
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
        {
            return null;
        }
    }

    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        await EnsureContainerAsync();
        await _container.GetPropertiesAsync(cancellationToken: cancellationToken);
    }

    /// <summary>The container, created by the first write of this process (one request, once).</summary>
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

    /// <summary>The bytes as a stream, without copying them when they are an array's (as the gateway's part buffer is).</summary>
    internal static MemoryStream ReadOnly(ReadOnlyMemory<byte> bytes) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var array)
            ? new MemoryStream(array.Array!, array.Offset, array.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);

    private static StagedObject Object(string name, BlobProperties properties) =>
        new(name, properties.ContentLength, properties.LastModified, new Dictionary<string, string>(properties.Metadata), properties.ETag.ToString());

    /// <summary>A part's block id: its name (offset and length), so a part written again replaces itself.</summary>
    private static string BlockId(StagedPart part) => Convert.ToBase64String(Encoding.ASCII.GetBytes(part.Name));

    private static StagedPart? PartOf(string blockId)
    {
        try
        {
            return StagedPart.Parse(Encoding.ASCII.GetString(Convert.FromBase64String(blockId)));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
