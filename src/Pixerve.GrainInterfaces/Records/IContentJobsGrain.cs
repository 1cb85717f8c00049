using Orleans.Concurrency;

namespace Pixerve.GrainInterfaces.Records;

/// <summary>
/// One content hash (key = the hash): the ids of every job made from it, so the admin token can see all the jobs of
/// a hash, and the registry of the file names those jobs write. Output names start with the hash, so only jobs of
/// the same hash can plan the same name; a name is held, in each place, for the work that first claimed it.
/// </summary>
[Alias("pixerve.IContentJobsGrain")]
public interface IContentJobsGrain : IGrainWithStringKey
{
    /// <summary>
    /// Lists the job and claims its names, or, when any is held in the same place for other work (another
    /// fingerprint), records nothing and answers those conflicts. The same name for the same work (a resubmission,
    /// another claim asking for identical output) is no conflict. Names stay claimed after the job leaves the list.
    /// </summary>
    [Alias("AddClaiming")]
    Task<ClaimOutcome> Add(string jobId, IReadOnlyList<OutputClaim> outputs);

    [Alias("Remove")]
    Task Remove(string jobId);

    [ReadOnly, CallableFromGateway, Alias("List")]
    Task<IReadOnlyList<string>> List();
}
