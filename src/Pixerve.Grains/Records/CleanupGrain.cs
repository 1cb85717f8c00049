using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pixerve.Storage.Filesystem;

namespace Pixerve.Grains.Records;

[GenerateSerializer, Alias("pixerve.CleanupState")]
public sealed class CleanupState
{
    [Id(0)] public SortedSet<string> Days { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The cluster's one cleaner: a daily reminder removes job records and index days past the retention.</summary>
public sealed class CleanupGrain(
    [PersistentState("cleanup", GrainStorageNames.Jobs)] IPersistentState<CleanupState> cleanup,
    TimeProvider clock,
    DirectHostStore directHost,
    IOptions<RetentionOptions> options,
    ILogger<CleanupGrain> logger) : Grain, ICleanupGrain, IRemindable
{
    private const string DailyReminder = "daily";

    public async Task EnsureScheduled()
    {
        if (await this.GetReminder(DailyReminder) is null)
            await this.RegisterOrUpdateReminder(DailyReminder, options.Value.Period, options.Value.Period);
    }

    public async Task RememberDay(string day)
    {
        if (cleanup.State.Days.Add(day)) await cleanup.WriteStateAsync();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == DailyReminder) await Run(clock.GetUtcNow());
    }

    public async Task<int> Run(DateTimeOffset now)
    {
        var cutoff = now - TimeSpan.FromDays(options.Value.Days);
        var cutoffDay = JobIndexDays.Key(cutoff);
        var removed = 0;
        // Days strictly before the cutoff's day hold only records older than the retention.
        foreach (var day in cleanup.State.Days.Where(d => string.CompareOrdinal(d, cutoffDay) < 0).ToList())
        {
            var index = GrainFactory.GetGrain<IJobIndexGrain>(day);
            foreach (var entry in await index.All())
            {
                var job = GrainFactory.GetGrain<IJobGrain>(entry.JobId);
                var snapshot = options.Value.DeleteServedFiles ? await job.GetSnapshot() : null;
                if (!await job.Expire(cutoff)) continue;
                removed++;
                if (snapshot is not null) DeleteServedFiles(snapshot);
            }

            await index.Clear();
            cleanup.State.Days.Remove(day);
            await cleanup.WriteStateAsync();
        }

        if (removed > 0) logger.LogInformation("Retention removed {Count} job records older than {Cutoff:O}", removed, cutoff);
        return removed;
    }

    private void DeleteServedFiles(JobSnapshot snapshot)
    {
        foreach (var file in snapshot.Files.Where(f => f.Backend == DirectHostStore.Backend))
            directHost.Delete(file.Location);
    }
}
