using Pixerve.GrainInterfaces.Jobs;
using Pixerve.ServiceDefaults;

namespace Pixerve.Grains.Jobs;

public sealed partial class JobGrain
{
    /// <summary>
    /// Records a webhook attempt the outbox worker made: delivered, failed for good after
    /// <see cref="Webhooks.WebhookOptions.MaxAttempts"/>, or due again after a backoff. False when it is not the attempt
    /// the record waits for (a report repeated after its write failed, or of an attempt made twice).
    /// </summary>
    private bool RecordWebhookAttempt(WebhookAttemptReport attempt)
    {
        if (State.Webhook is not { Outcome: WebhookOutcome.Pending } webhook || webhook.Attempts != attempt.Attempt - 1) return false;

        webhook.Attempts++;
        webhook.LastStatusCode = attempt.StatusCode;
        webhook.LastError = attempt.Error;
        PixerveMetrics.WebhookAttempts.Add(1, new KeyValuePair<string, object?>("outcome", attempt.Delivered ? "delivered" : "failed"));
        if (attempt.Delivered)
        {
            webhook.Outcome = WebhookOutcome.Delivered;
            webhook.DeliveredAt = clock.GetUtcNow();
        }
        else if (webhook.Attempts >= webhooks.Options.MaxAttempts)
        {
            webhook.Outcome = WebhookOutcome.Failed;
        }
        else
        {
            webhook.NextAttemptAt = clock.GetUtcNow() + webhooks.Options.DelayAfter(webhook.Attempts);
        }

        return true;
    }
}
