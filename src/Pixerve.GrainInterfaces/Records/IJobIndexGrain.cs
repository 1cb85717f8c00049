namespace Pixerve.GrainInterfaces.Records;

/// <summary>The jobs that ended on one UTC day, keyed <c>yyyy-MM-dd</c>, for the list endpoints and cleanup.</summary>
[Alias("pixerve.IJobIndexGrain")]
public interface IJobIndexGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task Add(IndexEntry entry);

    [Alias("Remove")]
    Task Remove(string jobId);

    /// <summary>Entries of one kind, newest first.</summary>
    [CallableFromGateway, Alias("List")]
    Task<IReadOnlyList<IndexEntry>> List(IndexKind kind);

    [Alias("All")]
    Task<IReadOnlyList<IndexEntry>> All();

    [Alias("Clear")]
    Task Clear();
}
