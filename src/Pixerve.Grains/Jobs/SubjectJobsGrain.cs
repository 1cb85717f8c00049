using Microsoft.Extensions.Logging;
using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.Grains.Jobs;

/// <summary>
/// The jobs of one token subject that are not final yet (<see cref="ISubjectJobsGrain"/>), one activation in the
/// cluster per subject. The set lives in memory only: counting a job in or out writes nothing, so the quota costs
/// an upload one grain call and no storage round trip. Should this activation's silo fail, the set is lost and the
/// subject's jobs still waiting are not counted until they end: an under-count (the subject may briefly have more
/// than its share, never less), acceptable for a fair-share quota; the silos' queue depth still bounds the cluster.
/// The activation is kept while it counts anything, so idleness alone never forgets a job.
/// <para>
/// An over-count would be worse: a job counted in whose submission never landed (its gateway died between the two
/// calls) or whose final status never got here would hold its place for good. So when the subject is full, the
/// jobs counted longer than <see cref="Grace"/> are asked for their status (at most every
/// <see cref="ReconcilePeriod"/>), and those final or unknown are dropped.
/// </para>
/// </summary>
public sealed class SubjectJobsGrain(TimeProvider clock, ILogger<SubjectJobsGrain> logger) : Grain, ISubjectJobsGrain
{
    /// <summary>Longer than an upload takes from counting a job in to its job's first write.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan ReconcilePeriod = TimeSpan.FromSeconds(30);

    /// <summary>Job id → when it was counted in.</summary>
    private readonly Dictionary<string, DateTimeOffset> _jobs = new(StringComparer.Ordinal);

    private DateTimeOffset _reconciledAt = DateTimeOffset.MinValue;

    public async Task<SubjectJobAdmission> TryAdd(string jobId, int limit)
    {
        if (_jobs.ContainsKey(jobId)) return SubjectJobAdmission.Present;
        if (!await HasRoom(limit)) return SubjectJobAdmission.Full;
        _jobs[jobId] = clock.GetUtcNow();
        KeepWhileCounting();
        return SubjectJobAdmission.Added;
    }

    public Task Remove(string jobId)
    {
        if (_jobs.Remove(jobId)) KeepWhileCounting();
        return Task.CompletedTask;
    }

    public async Task<bool> HasRoom(int limit)
    {
        if (_jobs.Count < limit) return true;
        await ReconcileAsync();
        return _jobs.Count < limit;
    }

    public Task<int> Count() => Task.FromResult(_jobs.Count);

    private void KeepWhileCounting() => DelayDeactivation(_jobs.Count > 0 ? Timeout.InfiniteTimeSpan : TimeSpan.Zero);

    private async Task ReconcileAsync()
    {
        var now = clock.GetUtcNow();
        if (now - _reconciledAt < ReconcilePeriod) return;
        _reconciledAt = now;
        var counted = _jobs.Where(job => now - job.Value >= Grace).Select(job => job.Key).ToList();
        var answers = await Task.WhenAll(counted.Select(async jobId => (JobId: jobId, Gone: await GoneAsync(jobId))));
        var dropped = 0;
        foreach (var (jobId, gone) in answers)
            if (gone && _jobs.Remove(jobId)) dropped++;
        if (dropped == 0) return;
        logger.LogWarning("Subject {Subject}: {Count} jobs counted as waiting were final or unknown; they count no more",
            this.GetPrimaryKeyString(), dropped);
        KeepWhileCounting();
    }

    private async Task<bool> GoneAsync(string jobId)
    {
        try
        {
            return await GrainFactory.GetGrain<IJobGrain>(jobId).GetSnapshot() is not { } snapshot || snapshot.Status.IsFinal();
        }
        catch (Exception e)
        {
            // Not known now: it keeps counting until a later look.
            logger.LogInformation("Subject {Subject}: job {JobId} could not say its status ({Error})", this.GetPrimaryKeyString(), jobId, e.Message);
            return false;
        }
    }
}
