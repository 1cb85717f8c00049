using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.ServiceDefaults;

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
    ILogger<StagingSweeper> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(StagingSweeper), ServiceLifecycleStage.Active, Start, Stop);

    private Task Start(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => LoopAsync(_stopping.Token));
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task LoopAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(options.Value.SweepPeriod, clock);
        while (await timer.WaitForNextTickAsync(stopping).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
        {
            try
            {
                var removed = await SweepAsync(stopping);
                if (removed > 0) logger.LogInformation("Removed {Count} staged uploads that no job owns", removed);
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                logger.LogWarning("Sweeping the staging container failed ({Error}); trying again next period", e.Message);
            }
        }
    }

    /// <summary>One pass over the staging container; returns how many blobs it removed.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(PixerveConfiguration.StagingContainer);
        var cutoff = clock.GetUtcNow() - options.Value.MaxAge;
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
