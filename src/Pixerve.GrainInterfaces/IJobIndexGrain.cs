namespace Pixerve;

[GenerateSerializer, Alias("pixerve.IndexKind")]
public enum IndexKind
{
    Success,
    Failure,
    Cancelled,
}

[GenerateSerializer, Alias("pixerve.IndexEntry"), Immutable]
public sealed record IndexEntry(
    [property: Id(0)] string Hash,
    [property: Id(1)] IndexKind Kind,
    [property: Id(2)] DateTimeOffset Timestamp,
    [property: Id(3)] int FileCount,
    [property: Id(4)] string? Error)
{
    /// <summary>Null in entries written before jobs had ids of their own: those jobs are keyed by their hash.</summary>
    [Id(5)] public string? JobId { get; init; }

    public string Key => JobId ?? Hash;
}

/// <summary>The jobs that ended on one UTC day, keyed <c>yyyy-MM-dd</c>, for the list endpoints and cleanup.</summary>
[Alias("pixerve.IJobIndexGrain")]
public interface IJobIndexGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task Add(IndexEntry entry);

    [Alias("Remove")]
    Task Remove(string jobId);

    /// <summary>Entries of one kind, newest first.</summary>
    [Alias("List")]
    Task<IReadOnlyList<IndexEntry>> List(IndexKind kind);

    [Alias("All")]
    Task<IReadOnlyList<IndexEntry>> All();

    [Alias("Clear")]
    Task Clear();
}

/// <summary>Removes records older than the retention; a daily reminder drives it.</summary>
[Alias("pixerve.ICleanupGrain")]
public interface ICleanupGrain : IGrainWithIntegerKey
{
    [Alias("EnsureScheduled")]
    Task EnsureScheduled();

    [Alias("RememberDay")]
    Task RememberDay(string day);

    /// <summary>Removes every record that ended before <paramref name="now"/> minus the retention; returns how many.</summary>
    [Alias("Run")]
    Task<int> Run(DateTimeOffset now);
}
