namespace Pixerve;

[GenerateSerializer, Alias("pixerve.JobStatus")]
public enum JobStatus
{
    Pending,
    Processing,
    Completed,
    Failed,
    Cancelled,
}

public static class JobStatusExtensions
{
    public static bool IsFinal(this JobStatus status) =>
        status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;

    /// <summary>The lowercase word used on the wire.</summary>
    public static string ToWire(this JobStatus status) => status.ToString().ToLowerInvariant();
}
