namespace Pixerve;

[GenerateSerializer, Alias("pixerve.WebhookOutcome")]
public enum WebhookOutcome
{
    Pending,
    Delivered,
    Failed,
}
