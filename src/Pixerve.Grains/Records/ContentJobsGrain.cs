namespace Pixerve.Grains.Records;

[GenerateSerializer, Alias("pixerve.ContentJobsState")]
public sealed class ContentJobsState
{
    [Id(0)] public SortedSet<string> JobIds { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The job ids of one content hash; a job adds itself before it is first written and leaves when it expires.</summary>
public sealed class ContentJobsGrain(
    [PersistentState("content", GrainStorageNames.Jobs)] IPersistentState<ContentJobsState> content) : Grain, IContentJobsGrain
{
    public async Task Add(string jobId)
    {
        if (content.State.JobIds.Add(jobId)) await content.WriteStateAsync();
    }

    public async Task Remove(string jobId)
    {
        if (!content.State.JobIds.Remove(jobId)) return;
        if (content.State.JobIds.Count == 0) await content.ClearStateAsync();
        else await content.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>(content.State.JobIds.ToList());
}
