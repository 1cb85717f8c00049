namespace Pixerve.Grains;

/// <summary>The persisted record of a job; the only place its status changes.</summary>
[GenerateSerializer, Alias("pixerve.JobState")]
public sealed class JobState
{
    [Id(0)] public JobSubmission? Submission { get; set; }
    [Id(1)] public JobStatus Status { get; set; }
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
    [Id(3)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(4)] public List<string> ExpectedFiles { get; set; } = [];
    [Id(5)] public List<StoredFile> Files { get; set; } = [];
    [Id(6)] public string? Error { get; set; }
    [Id(7)] public int Attempts { get; set; }
}
