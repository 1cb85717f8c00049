using Pixerve.GrainInterfaces.Operations;

namespace Pixerve.Grains.Operations;

/// <summary>The latest queue report of each live silo; a silo silent for <see cref="MissedReports"/> periods is dropped.</summary>
public sealed class ClusterStatsGrain(TimeProvider time) : Grain, IClusterStatsGrain
{
    /// <summary>Reports a silo may miss (a busy machine, a slow call) before it no longer counts.</summary>
    public const int MissedReports = 5;

    private readonly Dictionary<string, (SiloQueueStats Stats, DateTimeOffset ExpiresAt)> _silos = [];

    public Task Report(SiloQueueReport report)
    {
        var now = time.GetUtcNow();
        _silos[report.Silo] = (new SiloQueueStats(report.Silo, report.Queued, report.Running, now), now + report.ReportPeriod * MissedReports);
        return Task.CompletedTask;
    }

    public Task Forget(string silo)
    {
        _silos.Remove(silo);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SiloQueueStats>> Silos()
    {
        var now = time.GetUtcNow();
        foreach (var stale in _silos.Where(s => s.Value.ExpiresAt < now).Select(s => s.Key).ToList())
            _silos.Remove(stale);
        IReadOnlyList<SiloQueueStats> live = _silos.Values.Select(s => s.Stats).OrderBy(s => s.Silo, StringComparer.Ordinal).ToList();
        return Task.FromResult(live);
    }
}
