namespace Pixerve.GrainInterfaces.Jobs;

public static class JobStatusExtensions
{
    public static bool IsFinal(this JobStatus status) =>
        status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;

    /// <summary>The lowercase word used on the wire.</summary>
    public static string ToWire(this JobStatus status) => status.ToString().ToLowerInvariant();
}
