using Orleans.Concurrency;

namespace Pixerve.GrainInterfaces.Records;

/// <summary>The jobs that ended on one UTC day, keyed <c>yyyy-MM-dd</c>, for the list endpoints and cleanup.</summary>
[Alias("pixerve.IJobIndexGrain")]
public interface IJobIndexGrain : IGrainWithStringKey
{
    /// <summary>Adds or replaces the job's entry; returns once the cleanup grain knows this day has an index.</summary>
    [Alias("Add")]
    Task Add(IndexEntry entry);

    [Alias("Remove")]
    Task Remove(string jobId);

    /// <summary>
    /// Up to <paramref name="limit"/> entries of one kind, newest first (then by job id), strictly after
    /// <paramref name="after"/> in that order (from the newest when null), and whether more follow.
    /// </summary>
    [ReadOnly, CallableFromGateway, Alias("Page")]
    Task<IndexPage> Page(IndexKind kind, IndexPosition? after, int limit);

    [Alias("All")]
    Task<IReadOnlyList<IndexEntry>> All();

    [Alias("Clear")]
    Task Clear();
}

/// <summary>Where an entry stands in a day's order: newest first, then by job id.</summary>
[GenerateSerializer, Alias("pixerve.IndexPosition"), Immutable]
public sealed record IndexPosition([property: Id(0)] DateTimeOffset Timestamp, [property: Id(1)] string JobId)
{
    public static IndexPosition Of(IndexEntry entry) => new(entry.Timestamp, entry.JobId);

    /// <summary>True when <paramref name="entry"/> comes after this position in a day's order.</summary>
    public bool Precedes(IndexEntry entry) =>
        entry.Timestamp < Timestamp || (entry.Timestamp == Timestamp && string.CompareOrdinal(entry.JobId, JobId) > 0);
}

/// <param name="More">Entries of the kind follow the last one in this day.</param>
[GenerateSerializer, Alias("pixerve.IndexPage"), Immutable]
public sealed record IndexPage([property: Id(0)] IReadOnlyList<IndexEntry> Entries, [property: Id(1)] bool More);
