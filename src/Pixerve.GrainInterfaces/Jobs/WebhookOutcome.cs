namespace Pixerve.GrainInterfaces.Jobs;

[GenerateSerializer, Alias("pixerve.WebhookOutcome")]
public enum WebhookOutcome
{
    Pending,
    Delivered,
    Failed,
}
