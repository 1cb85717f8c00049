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
    public async Task Add(IndexEntry entry)
    {
        var first = index.State.Entries.Count == 0;
        index.State.Entries[entry.JobId] = entry;
        await index.WriteStateAsync();
        if (first) await GrainFactory.GetGrain<ICleanupGrain>(0).RememberDay(this.GetPrimaryKeyString());
    }

    public async Task Remove(string jobId)
    {
        if (index.State.Entries.Remove(jobId)) await index.WriteStateAsync();
    }

    public Task<IReadOnlyList<IndexEntry>> List(IndexKind kind) =>
        Task.FromResult<IReadOnlyList<IndexEntry>>(index.State.Entries.Values
            .Where(e => e.Kind == kind)
            .OrderByDescending(e => e.Timestamp).ThenBy(e => e.JobId, StringComparer.Ordinal)
            .ToList());

    public Task<IReadOnlyList<IndexEntry>> All() => Task.FromResult<IReadOnlyList<IndexEntry>>(index.State.Entries.Values.ToList());

    public async Task Clear()
    {
        await index.ClearStateAsync();
        DeactivateOnIdle();
    }
}
