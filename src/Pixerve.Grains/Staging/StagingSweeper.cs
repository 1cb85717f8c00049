using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.ServiceDefaults;
using Pixerve.Grains.Jobs;
using Pixerve.Grains.Operations;

namespace Pixerve.Grains.Staging;

/// <summary>
/// Walks the staged uploads every <see cref="StagingOptions.SweepPeriod"/> (or <see cref="JobOptions.ResumePeriod"/>
/// when shorter) and asks each one's job how it uses it
/// (<see cref="IJobGrain.UseOf"/>). Asking resumes a job whose silo died (the staged upload is a job's mark of
/// unfinished business, so no job needs a reminder of its own); the answer decides the upload's fate: deleted when its
/// job is done with it, marked and left alone when a failed job keeps it for a retry, deleted when no job owns it and
/// it is older than <see cref="StagingOptions.MaxAge"/> (its submission broke, it duplicated existing work). Each blob
/// names its job id in its metadata (the gateway writes it with the upload). Every silo lists the container and takes
/// its share of the uploads (<see cref="OwnShare"/>); asking and deleting are idempotent, so a share walked twice while
/// membership changes costs a repeated request, nothing more. One listing request covers up to 5,000 uploads.
/// </summary>
public sealed class StagingSweeper(
    BlobServiceClient blobs,
    IGrainFactory grains,
    TimeProvider clock,
    IOptions<StagingOptions> options,
    IOptions<JobOptions> jobs,
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    ILogger<StagingSweeper> logger) : PeriodicSiloService(clock, logger)
{
    /// <summary>The sweep is how a job outlives its silo, so it comes at least every <see cref="JobOptions.ResumePeriod"/>.</summary>
    protected override TimeSpan Period => options.Value.SweepPeriod < jobs.Value.ResumePeriod ? options.Value.SweepPeriod : jobs.Value.ResumePeriod;

    protected override async Task TickAsync(CancellationToken stopping)
    {
        var removed = await SweepAsync(stopping, OwnShare());
        if (removed > 0) Logger.LogDebug("Removed {Count} staged uploads no job needs", removed);
    }

    /// <summary>
    /// This silo's share of the uploads: the active silos split them by a hash of the name, so each upload's job is asked
    /// and its upload deleted by one silo, not by all. While membership changes a share may be walked twice or skipped
    /// for a period; the next one makes up for it.
    /// </summary>
    private Func<string, bool> OwnShare()
    {
        var active = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress.ToString()).Order(StringComparer.Ordinal).ToList();
        var index = active.IndexOf(silo.SiloAddress.ToString());
        if (active.Count <= 1 || index < 0) return _ => true;
        return name => (uint)StableHash(name) % (uint)active.Count == (uint)index;
    }

    private static int StableHash(string name)
    {
        var hash = 17;
        foreach (var c in name) hash = unchecked(hash * 31 + c);
        return hash;
    }

    /// <summary>One pass over the staging container (all of it, or the uploads <paramref name="mine"/> accepts); returns how many blobs it removed.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken, Func<string, bool>? mine = null)
    {
        var container = blobs.GetBlobContainerClient(PixerveConfiguration.StagingContainer);
        var cutoff = Time.GetUtcNow() - options.Value.MaxAge;
        var removed = 0;
        try
        {
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix: null, cancellationToken))
            {
                if (StagedOriginals.IsKept(blob) || (mine is not null && !mine(blob.Name))) continue;
                var use = await UseAsync(blob);
                var delete = use switch
                {
                    StagedUploadUse.Done => true,
                    StagedUploadUse.None => blob.Properties.LastModified is not { } modified || modified <= cutoff,
                    _ => false,
                };
                if (use == StagedUploadUse.Kept) await KeepAsync(container, blob, cancellationToken);
                if (delete && (await container.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken)).Value) removed++;
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No upload was ever staged.
        }

        return removed;
    }

    private async Task<StagedUploadUse> UseAsync(BlobItem blob)
    {
        if (!blob.Metadata.TryGetValue(PixerveConfiguration.StagedJobIdMetadata, out var jobId) || !JobIdentity.IsId(jobId)) return StagedUploadUse.None;
        try
        {
            return await grains.GetGrain<IJobGrain>(jobId).UseOf(blob.Name);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not known now (storage or the cluster unsettled): kept, and asked again next period.
            Logger.LogInformation("Staged upload {Blob}: its job {JobId} could not say how it uses it ({Error})", blob.Name, jobId, e.Message);
            return StagedUploadUse.InUse;
        }
    }

    private async Task KeepAsync(BlobContainerClient container, BlobItem blob, CancellationToken cancellationToken)
    {
        try
        {
            await StagedOriginals.KeepAsync(container, blob, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Deleted or changed meanwhile (a retry took it back): the next period sees it as it is.
        }
    }
}
