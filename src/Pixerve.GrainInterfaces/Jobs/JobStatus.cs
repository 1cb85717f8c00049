namespace Pixerve.GrainInterfaces.Jobs;

[GenerateSerializer, Alias("pixerve.JobStatus")]
public enum JobStatus
{
    Pending,
    Processing,
    Completed,
    Failed,
    Cancelled,
}
