using Orleans.Concurrency;

namespace Pixerve;

/// <summary>
/// The ids of every job made from one content hash (key = the hash), so the admin token can see all the jobs
/// of a hash. Job tokens never need it: they reach their own job from hash + claim.
/// </summary>
[Alias("pixerve.IContentJobsGrain")]
public interface IContentJobsGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task Add(string jobId);

    [Alias("Remove")]
    Task Remove(string jobId);

    [ReadOnly, CallableFromGateway, Alias("List")]
    Task<IReadOnlyList<string>> List();
}
