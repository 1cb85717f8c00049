using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Pixerve.ServiceDefaults;

namespace Pixerve.Grains.Staging;

/// <summary>
/// The "kept" mark on a staged upload: a failed job's original, kept for a retry, which the staging sweep no longer
/// asks about every period. Marked by the sweep once the job says so; unmarked by a retry before the job is pending.
/// </summary>
public static class StagedOriginals
{
    /// <summary>The metadata entry that marks an original kept by a failed job.</summary>
    public const string KeptMetadata = "kept";

    public static bool IsKept(BlobItem blob) => blob.Metadata.ContainsKey(KeptMetadata);

    public static Task KeepAsync(BlobContainerClient container, BlobItem blob, CancellationToken cancellationToken)
    {
        var metadata = new Dictionary<string, string>(blob.Metadata) { [KeptMetadata] = "1" };
        return container.GetBlobClient(blob.Name).SetMetadataAsync(metadata,
            new BlobRequestConditions { IfMatch = blob.Properties.ETag }, cancellationToken);
    }

    /// <summary>Removes the kept mark where there is one; false when the original is gone.</summary>
    public static async Task<bool> UnkeepAsync(BlobServiceClient blobs, string blobName)
    {
        var blob = blobs.GetBlobContainerClient(PixerveConfiguration.StagingContainer).GetBlobClient(blobName);
        BlobProperties properties;
        try
        {
            properties = await blob.GetPropertiesAsync();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }

        if (!properties.Metadata.ContainsKey(KeptMetadata)) return true;
        var metadata = new Dictionary<string, string>(properties.Metadata);
        metadata.Remove(KeptMetadata);
        await blob.SetMetadataAsync(metadata, new BlobRequestConditions { IfMatch = properties.ETag });
        return true;
    }
}
