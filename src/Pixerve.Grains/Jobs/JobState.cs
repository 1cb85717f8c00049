using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.Grains.Jobs;

/// <summary>The persisted record of a job; the only place its status changes.</summary>
[GenerateSerializer, Alias("pixerve.JobState")]
public sealed class JobState
{
    [Id(0)] public JobSubmission? Submission { get; set; }
    [Id(1)] public JobStatus Status { get; set; }
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
    [Id(3)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(5)] public List<StoredFile> Files { get; set; } = [];
    [Id(7)] public int Attempts { get; set; }
    /// <summary>Set by a cancel request; a cancelled job never runs, even if a worker still holds its hash.</summary>
    [Id(8)] public bool CancelRequested { get; set; }
    [Id(9)] public DateTimeOffset? StartedAt { get; set; }
    [Id(10)] public DateTimeOffset? FinishedAt { get; set; }
    [Id(11)] public WebhookRecord? Webhook { get; set; }
    /// <summary>The index day this job's outcome is listed under, so a rerun can move it.</summary>
    [Id(12)] public string? IndexedDay { get; set; }
    [Id(13)] public string? ProcessedBy { get; set; }
    /// <summary>Side effects of a final status not yet done; the reminder stays while any is left.</summary>
    [Id(14)] public JobOutbox Outbox { get; set; } = new();
    /// <summary>The outputs, planned once at submission.</summary>
    [Id(15)] public List<PlannedOutput> Plan { get; set; } = [];
    /// <summary>The source as converted; null until the job converted it.</summary>
    [Id(16)] public SourceInfo? Source { get; set; }
    /// <summary>The outputs as made (size, bytes); empty until the job converted its source.</summary>
    [Id(17)] public List<OutputInfo> Outputs { get; set; } = [];
    /// <summary>Why the job failed or was cancelled; null while it has not.</summary>
    [Id(18)] public JobError? Failure { get; set; }

    /// <summary>Every run so far, oldest first.</summary>
    [Id(19)] public List<JobAttempt> History { get; set; } = [];
    /// <summary>How many times the failed job was retried (<c>POST /retry</c>).</summary>
    [Id(20)] public int Retries { get; set; }
    /// <summary><see cref="Attempts"/> when it was last retried: <c>MaxAttempts</c> counts the runs since.</summary>
    [Id(21)] public int AttemptsBeforeRetry { get; set; }

    /// <summary>The names of the files the job produces, in plan order.</summary>
    public IReadOnlyList<string> ExpectedNames => Plan.Select(o => o.Name).ToList();
}
