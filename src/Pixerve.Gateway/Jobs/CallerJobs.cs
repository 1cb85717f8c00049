using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.GrainInterfaces.Records;
using Pixerve.Gateway.Admin;

namespace Pixerve.Gateway.Jobs;

/// <summary>A job the caller may see: its grain and what it looked like when found.</summary>
public sealed record FoundJob(IJobGrain Grain, JobSnapshot Snapshot);

/// <summary>
/// Finds the caller's job from <c>hash</c> and/or <c>job_id</c>. A job token reaches only the job of hash + its
/// own subject and claim; any other job answers exactly as an unknown one, so nothing tells a stranger that a hash
/// exists. The admin token reaches every job: by <c>job_id</c>, or by <c>hash</c> when the hash has one job.
/// </summary>
public sealed class CallerJobs(IGrainFactory grains)
{
    /// <summary>The caller's one job, or the problem to answer.</summary>
    public async Task<(FoundJob? Job, ProblemHttpResult? Problem)> FindAsync(ClaimsPrincipal caller, string? hash, string? jobId)
    {
        if (BadQuery(hash, jobId) is { } bad) return (null, bad);
        if (!caller.IsAdmin())
        {
            if (BadClaim(caller) is { } badClaim) return (null, badClaim);
            var id = OwnJobId(caller, hash, jobId);
            var job = id is null ? null : await SnapshotAsync(id);
            // Asked by job_id alone: the job must be the one this claim makes of the job's own hash.
            if (job is not null && hash is null && OwnJobId(caller, job.Snapshot.Hash, jobId) != jobId) job = null;
            return job is null ? (null, Unknown(hash, jobId)) : (job, null);
        }

        if (jobId is not null)
        {
            var job = await SnapshotAsync(jobId);
            return job is null || (hash is not null && job.Snapshot.Hash != hash) ? (null, Unknown(hash, jobId)) : (job, null);
        }

        var jobs = await AllOfHashAsync(hash!);
        return jobs.Count switch
        {
            0 => (null, Unknown(hash, null)),
            1 => (jobs[0], null),
            _ => (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest,
                detail: $"hash {hash} has {jobs.Count} jobs; name one with job_id (GET /status?hash= lists them)",
                extensions: new Dictionary<string, object?> { ["field"] = "job_id" })),
        };
    }

    /// <summary>Every job of a content hash (admin only), oldest first.</summary>
    public async Task<IReadOnlyList<FoundJob>> AllOfHashAsync(string hash)
    {
        var ids = await grains.GetGrain<IContentJobsGrain>(hash).List();
        var found = await Task.WhenAll(ids.Select(SnapshotAsync));
        return found.OfType<FoundJob>().OrderBy(j => j.Snapshot.CreatedAt).ToList();
    }

    public static ProblemHttpResult? BadQuery(string? hash, string? jobId)
    {
        if (hash is null && jobId is null) return BadId("hash", "name the job with hash (or job_id)");
        if (hash is not null && !JobIdentity.IsId(hash)) return BadId("hash", "hash must be 64 lowercase hex characters (SHA-256)");
        if (jobId is not null && !JobIdentity.IsId(jobId)) return BadId("job_id", "job_id must be 64 lowercase hex characters");
        return null;
    }

    /// <summary>The one answer for a job that does not exist and for a job that is not the caller's.</summary>
    public static ProblemHttpResult Unknown(string? hash, string? jobId) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        detail: hash is not null ? $"no job has hash {hash}" : $"no job has id {jobId}");

    private async Task<FoundJob?> SnapshotAsync(string jobId)
    {
        var grain = grains.GetGrain<IJobGrain>(jobId);
        return await grain.GetSnapshot() is { } snapshot ? new FoundJob(grain, snapshot) : null;
    }

    /// <summary>
    /// A 400 for a token whose claim or subject has no canonical form (not JSON, an unpaired surrogate): such a token
    /// names no job at all, and saying so is more use to its holder than a 404.
    /// </summary>
    private static ProblemHttpResult? BadClaim(ClaimsPrincipal caller)
    {
        if (caller.FindFirst("job")?.Value is not { } claim) return null;
        try
        {
            JobIdentity.Compute(new string('0', 64), Subject(caller), claim);
            return null;
        }
        catch (JsonException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, detail: $"the token's claims name no job: {e.Message}",
                extensions: new Dictionary<string, object?> { ["field"] = "job" });
        }
    }

    /// <summary>The token's <c>sub</c> claim, part of every job id it makes; the empty subject when it has none.</summary>
    public static string Subject(ClaimsPrincipal caller) => caller.FindFirst("sub")?.Value ?? "";

    /// <summary>The id of the job this token's subject and claim make of <paramref name="hash"/>; null when they name none.</summary>
    private static string? OwnJobId(ClaimsPrincipal caller, string? hash, string? jobId)
    {
        if (caller.FindFirst("job")?.Value is not { } claim) return null;
        if (hash is null) return jobId;
        var id = JobIdentity.Compute(hash, Subject(caller), claim);
        return jobId is null || jobId == id ? id : null;
    }

    private static ProblemHttpResult BadId(string field, string detail) => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest,
        detail: detail, extensions: new Dictionary<string, object?> { ["field"] = field });
}
