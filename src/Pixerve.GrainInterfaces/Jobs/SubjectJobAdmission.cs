namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>What <see cref="ISubjectJobsGrain.TryAdd"/> came to.</summary>
[GenerateSerializer, Alias("pixerve.SubjectJobAdmission")]
public enum SubjectJobAdmission
{
    /// <summary>Counted now: should the job not be submitted after all, the caller removes it.</summary>
    Added,
    /// <summary>Counted already (the same job uploaded again while it waits): nothing changed.</summary>
    Present,
    /// <summary>The subject has as many jobs waiting or running as it may: refuse the upload.</summary>
    Full,
}
