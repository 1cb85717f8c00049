using Pixerve.GrainInterfaces.Records;

namespace Pixerve.Grains.Records;

[GenerateSerializer, Alias("pixerve.JobIndexState")]
public sealed class JobIndexState
{
    [Id(0)] public Dictionary<string, IndexEntry> Entries { get; set; } = [];
}

/// <summary>The jobs that ended on one UTC day. Small: one entry per job, no specs or file lists.</summary>
public sealed class JobIndexGrain(
    [PersistentState("index", GrainStorageNames.Jobs)] IPersistentState<JobIndexState> index) : Grain, IJobIndexGrain
{
    /// <summary>The cleanup grain was told about this day by this activation (it keeps the days that have an index).</summary>
    private bool _dayRemembered;

    public async Task Add(IndexEntry entry)
    {
        // A job hands its entry over again after it was lost from memory with an activation: nothing new to write.
        if (!index.State.Entries.TryGetValue(entry.JobId, out var held) || !held.Equals(entry))
        {
            index.State.Entries[entry.JobId] = entry;
            await index.WriteStateAsync();
        }

        // Until it has succeeded once: an Add whose telling failed is asked again by the job's outbox, and the list
        // pages find a day only through the cleanup grain.
        if (!_dayRemembered)
        {
            await GrainFactory.GetGrain<ICleanupGrain>(0).RememberDay(this.GetPrimaryKeyString());
            _dayRemembered = true;
        }
    }

    public async Task Remove(string jobId)
    {
        if (index.State.Entries.Remove(jobId)) await index.WriteStateAsync();
    }

    public Task<IndexPage> Page(IndexKind kind, IndexPosition? after, int limit)
    {
        var page = index.State.Entries.Values
            .Where(e => e.Kind == kind && (after is null || after.Precedes(e)))
            .OrderByDescending(e => e.Timestamp).ThenBy(e => e.JobId, StringComparer.Ordinal)
            .Take(limit + 1)
            .ToList();
        var more = page.Count > limit;
        if (more) page.RemoveAt(limit);
        return Task.FromResult(new IndexPage(page, more));
    }

    public Task<IReadOnlyList<IndexEntry>> All() => Task.FromResult<IReadOnlyList<IndexEntry>>(index.State.Entries.Values.ToList());

    public async Task Clear()
    {
        await index.ClearStateAsync();
        DeactivateOnIdle();
    }
}
