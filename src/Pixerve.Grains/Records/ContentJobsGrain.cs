using Pixerve.GrainInterfaces.Records;
using Pixerve.Grains.Persistence;

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
/// <para>
/// Read on first use (<see cref="LazyGrainState{T}"/>): the first job of new bytes, the usual case, creates the record
/// with one conditional write and no read.
/// </para>
public sealed class ContentJobsGrain : Grain, IContentJobsGrain
{
    public const int MaxNames = 4096;

    private LazyGrainState<ContentJobsState>? _content;

    private LazyGrainState<ContentJobsState> content => _content ??= new(GrainContext, "content", GrainStorageNames.Jobs);

    private string HashPrefix => this.GetPrimaryKeyString() + "_";

    public async Task<ClaimOutcome> Add(string jobId, IReadOnlyList<OutputClaim> outputs)
    {
        if (!content.Loaded)
        {
            // Claimed against an empty registry and created as such; should one exist, it is read and claimed against.
            var created = new ContentJobsState();
            var (outcome, _) = Claim(created, jobId, outputs);
            if (!outcome.IsGranted || await content.TryCreateAsync(created)) return outcome;
        }

        var (claimed, changed) = Claim(content.State, jobId, outputs);
        if (changed) await content.WriteStateAsync();
        return claimed;
    }

    /// <summary>Claims the job's names in <paramref name="state"/>; changed when it lists the job or a name anew.</summary>
    private (ClaimOutcome Outcome, bool Changed) Claim(ContentJobsState state, string jobId, IReadOnlyList<OutputClaim> outputs)
    {
        var names = state.Names;
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

        if (conflicts.Count > 0) return (new ClaimOutcome(conflicts), false);
        if (names.Count + fresh.Count > MaxNames)
            return (new ClaimOutcome(outputs.Where(o => fresh.ContainsKey(Key(o))).ToList(), Full: true), false);

        var listed = state.JobIds.Add(jobId);
        foreach (var (key, fingerprint) in fresh) names[key] = fingerprint;
        return (ClaimOutcome.Granted, listed || fresh.Count > 0);
    }

    public async Task Remove(string jobId)
    {
        await content.LoadAsync();
        if (!content.State.JobIds.Remove(jobId)) return;
        if (content.State.JobIds.Count == 0 && content.State.Names.Count == 0) await content.ClearStateAsync();
        else await content.WriteStateAsync();
    }

    public async Task<IReadOnlyList<string>> List()
    {
        await content.LoadAsync();
        return content.State.JobIds.ToList();
    }

    private string Key(OutputClaim output)
    {
        var name = output.Name.StartsWith(HashPrefix, StringComparison.Ordinal) ? output.Name[HashPrefix.Length..] : output.Name;
        return $"{output.Location}\n{name}";
    }
}
