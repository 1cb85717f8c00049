using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.ServiceDefaults;
using Pixerve.Grains.Jobs;
using Pixerve.Grains.Operations;
using Pixerve.Staging;

namespace Pixerve.Grains.Staging;

/// <summary>
/// Walks the staged uploads every <see cref="StagingOptions.SweepPeriod"/> (or <see cref="JobOptions.ResumePeriod"/>
/// when shorter) and asks each one's job how it uses it
/// (<see cref="IJobGrain.UseOf"/>). Asking resumes a job whose silo died (the staged upload is a job's mark of
/// unfinished business, so no job needs a reminder of its own); the answer decides the upload's fate: deleted when its
/// job is done with it, marked and left alone when a failed job keeps it for a retry, deleted when no job owns it and
/// it is older than <see cref="StagingOptions.MaxAge"/> (its submission broke, it duplicated existing work) or, for a
/// resumable upload, past its expiry. Each staged object
/// names its job id in its metadata (the gateway writes it with the upload). Every silo lists the store and takes
/// its share of the uploads (<see cref="OwnShare"/>); asking and deleting are idempotent, so a share walked twice while
/// membership changes costs a repeated request, nothing more. One listing request covers up to 5,000 uploads.
/// </summary>
public sealed class StagingSweeper(
    IStagingStore staging,
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

    /// <summary>One pass over the staging store (all of it, or the uploads <paramref name="mine"/> accepts); returns how many objects it removed.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken, Func<string, bool>? mine = null)
    {
        var cutoff = Time.GetUtcNow() - options.Value.MaxAge;
        var removed = 0;
        // Nothing ever staged lists as nothing.
        await foreach (var blob in staging.ListAsync(cancellationToken))
        {
            if (StagedOriginals.IsKept(blob) || (mine is not null && !mine(blob.Name))) continue;
            var use = await UseAsync(blob);
            var delete = use switch
            {
                StagedUploadUse.Done => true,
                StagedUploadUse.None => Abandoned(blob, cutoff),
                _ => false,
            };
            // Deleted or changed meanwhile (a retry took it back), the mark is refused: the next period sees it as it is.
            if (use == StagedUploadUse.Kept) await StagedOriginals.KeepAsync(staging, blob, cancellationToken);
            if (delete && await staging.DeleteIfExistsAsync(blob.Name, cancellationToken)) removed++;
        }

        return removed;
    }

    /// <summary>
    /// An upload no job uses is removed once it is older than <see cref="StagingOptions.MaxAge"/>; a resumable upload,
    /// whose parts may keep coming for much longer, once its own expiry (written by the gateway at its creation) has passed.
    /// </summary>
    private bool Abandoned(StagedObject blob, DateTimeOffset cutoff) =>
        blob.Metadata.TryGetValue(PixerveConfiguration.StagedExpiresMetadata, out var text) &&
        long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var expires)
            ? DateTimeOffset.FromUnixTimeSeconds(expires) <= Time.GetUtcNow()
            : blob.LastModified is not { } modified || modified <= cutoff;

    private async Task<StagedUploadUse> UseAsync(StagedObject blob)
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
}
