using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.ServiceDefaults;
using Pixerve.Grains.Operations;

namespace Pixerve.Grains.Staging;

/// <summary>
/// Removes staged uploads older than <see cref="StagingOptions.MaxAge"/> that no job still needs: uploads whose
/// submission broke (a silo died under it), duplicates of existing work, blobs a final job could not delete.
/// Each blob names its job id in its metadata (the gateway writes it when it commits the upload). Every silo
/// sweeps; deletes are idempotent, so no silo has to be the one.
/// </summary>
public sealed class StagingSweeper(
    BlobServiceClient blobs,
    IGrainFactory grains,
    TimeProvider clock,
    IOptions<StagingOptions> options,
    ILogger<StagingSweeper> logger) : PeriodicSiloService(clock, logger)
{
    protected override TimeSpan Period => options.Value.SweepPeriod;

    protected override async Task TickAsync(CancellationToken stopping)
    {
        var removed = await SweepAsync(stopping);
        if (removed > 0) Logger.LogInformation("Removed {Count} staged uploads that no job owns", removed);
    }

    /// <summary>One pass over the staging container; returns how many blobs it removed.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(PixerveConfiguration.StagingContainer);
        var cutoff = Time.GetUtcNow() - options.Value.MaxAge;
        var removed = 0;
        try
        {
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix: null, cancellationToken))
            {
                if (blob.Properties.LastModified is { } modified && modified > cutoff) continue;
                if (await OwnedAsync(blob)) continue;
                if ((await container.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken)).Value) removed++;
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No upload was ever staged.
        }

        return removed;
    }

    private async Task<bool> OwnedAsync(BlobItem blob)
    {
        if (!blob.Metadata.TryGetValue(PixerveConfiguration.StagedJobIdMetadata, out var jobId) || !JobIdentity.IsId(jobId)) return false;
        var job = await grains.GetGrain<IJobGrain>(jobId).GetSnapshot();
        return job is not null && !job.Status.IsFinal() && job.StagedBlob == blob.Name;
    }
}
