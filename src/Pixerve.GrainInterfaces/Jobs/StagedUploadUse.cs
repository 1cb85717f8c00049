namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>What a job does with a staged upload that names it, as the staging sweep asks (<see cref="IJobGrain.UseOf"/>).</summary>
public enum StagedUploadUse
{
    /// <summary>Not this job's upload, or no such job: the sweep removes it once it is old enough.</summary>
    None = 0,

    /// <summary>The job converts from it or has work left after finishing: kept, and the job was made sure to go on.</summary>
    InUse = 1,

    /// <summary>The job failed and keeps its original for a retry: kept until retention removes the job.</summary>
    Kept = 2,

    /// <summary>The job is final and needs it no more: the sweep deletes it.</summary>
    Done = 3,
}
