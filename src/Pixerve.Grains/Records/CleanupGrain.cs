using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.GrainInterfaces.Records;
using Pixerve.ServiceDefaults;
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
    /// <summary>Jobs expired at once: one call each, a bounded number in flight.</summary>
    private const int ExpiriesAtOnce = 16;

    public async Task EnsureScheduled()
    {
        if (await this.GetReminder(DailyReminder) is null)
            await this.RegisterOrUpdateReminder(DailyReminder, options.Value.Period, options.Value.Period);
    }

    public Task<IReadOnlyList<string>> Days() => Task.FromResult<IReadOnlyList<string>>(cleanup.State.Days.ToList());

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
            removed += await ExpireAsync(await index.All(), cutoff);

            await index.Clear();
            cleanup.State.Days.Remove(day);
            await cleanup.WriteStateAsync();
        }

        if (removed > 0) logger.LogInformation("Retention removed {Count} job records older than {Cutoff:O}", removed, cutoff);
        return removed;
    }

    /// <summary>Expires a day's jobs, <see cref="ExpiriesAtOnce"/> at a time; returns how many records went.</summary>
    private async Task<int> ExpireAsync(IReadOnlyList<IndexEntry> entries, DateTimeOffset cutoff)
    {
        var removed = 0;
        using var slots = new SemaphoreSlim(ExpiriesAtOnce);
        await Task.WhenAll(entries.Select(async entry =>
        {
            await slots.WaitAsync();
            try
            {
                var expiry = await GrainFactory.GetGrain<IJobGrain>(entry.JobId).Expire(cutoff);
                if (!expiry.Expired) return;
                removed++;
                if (options.Value.DeleteServedFiles)
                    foreach (var file in expiry.Files.Where(f => f.Backend == DirectHostStore.Backend))
                        directHost.Delete(file.Location);
            }
            finally
            {
                slots.Release();
            }
        }));
        return removed;
    }
}
