namespace Pixerve.GrainInterfaces.Jobs;

[GenerateSerializer, Alias("pixerve.JobSnapshot"), Immutable]
/// <param name="Hash">The content hash; <see cref="JobId"/> is the job's own key.</param>
/// <param name="Error">The safe message of <see cref="Failure"/> .</param>
public sealed record JobSnapshot(
    [property: Id(0)] string Hash,
    [property: Id(1)] JobStatus Status,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] DateTimeOffset UpdatedAt,
    [property: Id(4)] IReadOnlyList<string> ExpectedFiles,
    [property: Id(5)] IReadOnlyList<StoredFile> Files,
    [property: Id(6)] string? Error)
{
    [Id(7)] public DateTimeOffset? StartedAt { get; init; }
    [Id(8)] public DateTimeOffset? FinishedAt { get; init; }
    [Id(9)] public int Priority { get; init; }
    [Id(10)] public int Attempts { get; init; }
    [Id(11)] public WebhookRecord? Webhook { get; init; }
    [Id(12)] public string SpecJson { get; init; } = "{}";
    /// <summary>The silo whose worker ran the latest attempt.</summary>
    [Id(13)] public string? ProcessedBy { get; init; }
    [Id(14)] public string JobId { get; init; } = "";
    /// <summary>The staging blob the job reads its source from (until it is final), so a sweep can tell it is owned.</summary>
    [Id(15)] public string? StagedBlob { get; init; }
    /// <summary>Null until the job converted its source.</summary>
    [Id(16)] public SourceInfo? Source { get; init; }
    /// <summary>Empty until the job converted its source.</summary>
    [Id(17)] public IReadOnlyList<OutputInfo> Outputs { get; init; } = [];
    /// <summary>Why the job failed or was cancelled, safe and in full (<see cref="JobError"/>); null while it has not.</summary>
    [Id(18)] public JobError? Failure { get; init; }
    /// <summary>Every run so far, oldest first; empty in records written before runs were kept.</summary>
    [Id(19)] public IReadOnlyList<JobAttempt> History { get; init; } = [];
    /// <summary>How many times the job was retried after failing (<c>POST /retry</c>).</summary>
    [Id(20)] public int Retries { get; init; }
    /// <summary>
    /// How many outputs are made, counted in plan order (the first k of <see cref="OutputsTotal"/>): while the job
    /// runs, what its converter has reported so far; once final, those the run made (every one when completed).
    /// The outputs themselves: <see cref="IJobGrain.GetOutputsDone"/>.
    /// </summary>
    [Id(21)] public int OutputsDone { get; init; }
    /// <summary>The outputs the job plans (<see cref="ExpectedFiles"/>'s count).</summary>
    [Id(22)] public int OutputsTotal { get; init; }
}
