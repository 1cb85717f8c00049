namespace Pixerve;

/// <summary>What one silo's job queue holds now; <paramref name="ReportPeriod"/> says when to expect the next report.</summary>
[GenerateSerializer, Alias("pixerve.SiloQueueReport"), Immutable]
public sealed record SiloQueueReport(
    [property: Id(0)] string Silo,
    [property: Id(1)] int Queued,
    [property: Id(2)] int Running,
    [property: Id(3)] TimeSpan ReportPeriod);

/// <summary>A silo's last report, stamped with the time the stats grain received it.</summary>
[GenerateSerializer, Alias("pixerve.SiloQueueStats"), Immutable]
public sealed record SiloQueueStats(
    [property: Id(0)] string Silo,
    [property: Id(1)] int Queued,
    [property: Id(2)] int Running,
    [property: Id(3)] DateTimeOffset UpdatedAt);

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
    [Alias("Silos")]
    Task<IReadOnlyList<SiloQueueStats>> Silos();
}
