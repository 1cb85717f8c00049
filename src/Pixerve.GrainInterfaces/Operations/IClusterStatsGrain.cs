namespace Pixerve.GrainInterfaces.Operations;

/// <summary>
/// The cluster's queue depth: every silo reports its queue periodically to this singleton (key 0), which
/// forgets a silo that misses several reports in a row. Kept in memory only: the reports rebuild it within
/// one period after a move.
/// </summary>
[Alias("pixerve.IClusterStatsGrain")]
public interface IClusterStatsGrain : IGrainWithIntegerKey
{
    [Alias("Report")]
    Task Report(SiloQueueReport report);

    /// <summary>A silo that is shutting down leaves at once instead of going stale.</summary>
    [Alias("Forget")]
    Task Forget(string silo);

    /// <summary>The silos heard from recently, by address.</summary>
    [CallableFromGateway, Alias("Silos")]
    Task<IReadOnlyList<SiloQueueStats>> Silos();
}
