using Pixerve.GrainInterfaces.Jobs;
using Pixerve.ServiceDefaults;

namespace Pixerve.Grains.Jobs;

public sealed partial class JobGrain
{
    private IGrainTimer? _webhookTimer;

    /// <summary>Attempts the webhook when due and schedules the next try; false once there is nothing left to deliver.</summary>
    private async Task<bool> DeliverWebhookIfDueAsync()
    {
        if (State.Webhook is not { Outcome: WebhookOutcome.Pending } webhook) return false;

        var wait = webhook.NextAttemptAt - clock.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            var submission = State.Submission!;
            // Continues the upload's trace, however long after it (a retry may come minutes later).
            using var span = PixerveTracing.StartLinked("webhook", submission.TraceParent);
            var attempt = await webhooks.Sender.SendAsync(submission.Spec.CompletionCallback!, submission.Spec.CallbackHeaders,
                WebhookPayload.For(Hash, JobId, State), $"msg_{JobId}");
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

            await WriteAsync();
            if (webhook.Outcome != WebhookOutcome.Pending) return false;
            wait = webhook.NextAttemptAt - clock.GetUtcNow();
        }

        // A timer for the short waits; the reminder stays registered in case this activation is lost.
        _webhookTimer?.Dispose();
        _webhookTimer = this.RegisterGrainTimer(async () =>
        {
            if (!await DeliverWebhookIfDueAsync() && !State.Outbox.Pending) await UnregisterResumeReminder();
        }, new GrainTimerCreationOptions(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, Timeout.InfiniteTimeSpan));
        return true;
    }
}
