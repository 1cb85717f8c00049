namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>
/// The jobs of one token subject (the <c>sub</c> claim; tokens without one share the empty subject) that are not
/// final yet, across the cluster, so one caller cannot take every silo's queue. The gateway counts a job in before
/// submitting it; the job counts itself out when it becomes final. Reached through <see cref="SubjectJobs.For"/>.
/// </summary>
[Alias("pixerve.ISubjectJobsGrain")]
public interface ISubjectJobsGrain : IGrainWithStringKey
{
    /// <summary>Counts the job in unless the subject already has <paramref name="limit"/> jobs that are not final.</summary>
    [CallableFromGateway, Alias("TryAdd")]
    Task<SubjectJobAdmission> TryAdd(string jobId, int limit);

    /// <summary>The job is final (or was never submitted): it counts no more.</summary>
    [CallableFromGateway, Alias("Remove")]
    Task Remove(string jobId);

    /// <summary>True while the subject has fewer than <paramref name="limit"/> jobs that are not final.</summary>
    [CallableFromGateway, Alias("HasRoom")]
    Task<bool> HasRoom(int limit);

    /// <summary>How many of the subject's jobs count now.</summary>
    [Alias("Count")]
    Task<int> Count();
}

public static class SubjectJobs
{
    /// <summary>The grain of a subject's jobs. Orleans refuses an empty key, and the empty subject is a subject: every key is prefixed.</summary>
    public static ISubjectJobsGrain For(IGrainFactory grains, string subject) => grains.GetGrain<ISubjectJobsGrain>("sub:" + subject);
}
