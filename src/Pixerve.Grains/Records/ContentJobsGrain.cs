using Pixerve.GrainInterfaces.Records;

namespace Pixerve.Grains.Records;

[GenerateSerializer, Alias("pixerve.ContentJobsState")]
public sealed class ContentJobsState
{
    [Id(0)] public SortedSet<string> JobIds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Claimed names, <c>{location}\n{name without its "{hash}_" prefix}</c> → fingerprint: the key holds the hash
    /// already, so each name is stored without its 65 redundant characters.
    /// </summary>
    [Id(1)] public Dictionary<string, string> Names { get; set; } = [];
}

/// <summary>
/// The job ids and the name registry of one content hash (<see cref="IContentJobsGrain"/>). A job adds itself, with
/// its names, before it is first written, and leaves the list when it expires; its names stay claimed, as its files
/// outlive its record, so the state is cleared only when it lists no job and holds no name.
/// </summary>
/// <remarks>
/// Bound: one entry per distinct (place, name) ever stored from these bytes, about 100 bytes each (a place of up to
/// ~270 characters, a name tail of up to ~130, a 32-character fingerprint); resubmissions and identical work add
/// nothing. Assumed: one image is stored under a handful of names in a handful of places. At most
/// <see cref="MaxNames"/> are kept (under half a megabyte in the usual case, under two at worst); past that, jobs asking
/// for new names of this content are refused as conflicts rather than the registry growing without end or
/// forgetting a name (which would let a file be claimed for other work).
/// </remarks>
public sealed class ContentJobsGrain(
    [PersistentState("content", GrainStorageNames.Jobs)] IPersistentState<ContentJobsState> content) : Grain, IContentJobsGrain
{
    public const int MaxNames = 4096;

    private string HashPrefix => this.GetPrimaryKeyString() + "_";

    public async Task<ClaimOutcome> Add(string jobId, IReadOnlyList<OutputClaim> outputs)
    {
        var names = content.State.Names;
        var fresh = new Dictionary<string, string>(StringComparer.Ordinal);
        var conflicts = new List<OutputClaim>();
        foreach (var output in outputs)
        {
            var key = Key(output);
            // Also within the job: two outputs named alike for different work would be one file.
            var held = names.TryGetValue(key, out var fingerprint) || fresh.TryGetValue(key, out fingerprint);
            if (!held) fresh[key] = output.Fingerprint;
            else if (fingerprint != output.Fingerprint) conflicts.Add(output);
        }

        if (conflicts.Count > 0) return new ClaimOutcome(conflicts);
        if (names.Count + fresh.Count > MaxNames)
            return new ClaimOutcome(outputs.Where(o => fresh.ContainsKey(Key(o))).ToList(), Full: true);

        var listed = content.State.JobIds.Add(jobId);
        foreach (var (key, fingerprint) in fresh) names[key] = fingerprint;
        if (listed || fresh.Count > 0) await content.WriteStateAsync();
        return ClaimOutcome.Granted;
    }

    public async Task Remove(string jobId)
    {
        if (!content.State.JobIds.Remove(jobId)) return;
        if (content.State.JobIds.Count == 0 && content.State.Names.Count == 0) await content.ClearStateAsync();
        else await content.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>(content.State.JobIds.ToList());

    private string Key(OutputClaim output)
    {
        var name = output.Name.StartsWith(HashPrefix, StringComparison.Ordinal) ? output.Name[HashPrefix.Length..] : output.Name;
        return $"{output.Location}\n{name}";
    }
}
