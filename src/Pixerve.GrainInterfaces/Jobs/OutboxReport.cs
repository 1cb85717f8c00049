namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>
/// What a silo's outbox worker did for a final job (<see cref="IJobGrain.OutboxDone"/>): each step it managed, and the
/// outcome of the webhook attempt it made. A step it failed at is simply not marked done.
/// </summary>
/// <param name="FinishedAt">The finish the work was for: a report about an earlier finish (the job retried since) is ignored.</param>
[GenerateSerializer, Alias("pixerve.OutboxReport"), Immutable]
public sealed record OutboxReport([property: Id(0)] DateTimeOffset FinishedAt)
{
    [Id(1)] public bool SubjectDone { get; init; }
    [Id(2)] public bool IndexDone { get; init; }
    [Id(3)] public bool StagedBlobDone { get; init; }
    [Id(4)] public WebhookAttemptReport? Webhook { get; init; }
}

/// <param name="Attempt">The attempt's number (1 for the first): applied only if the job has made one fewer.</param>
[GenerateSerializer, Alias("pixerve.WebhookAttemptReport"), Immutable]
public sealed record WebhookAttemptReport(
    [property: Id(0)] int Attempt,
    [property: Id(1)] bool Delivered,
    [property: Id(2)] int? StatusCode,
    [property: Id(3)] string? Error);
