namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>How the completion callback of a finished job went.</summary>
[GenerateSerializer, Alias("pixerve.WebhookRecord")]
public sealed record WebhookRecord
{
    [Id(0)] public WebhookOutcome Outcome { get; set; }
    [Id(1)] public int Attempts { get; set; }
    [Id(2)] public DateTimeOffset NextAttemptAt { get; set; }
    [Id(3)] public DateTimeOffset? DeliveredAt { get; set; }
    [Id(4)] public string? LastError { get; set; }
    [Id(5)] public int? LastStatusCode { get; set; }
}
