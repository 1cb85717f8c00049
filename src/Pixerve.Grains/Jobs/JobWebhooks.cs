using Microsoft.Extensions.Options;
using Pixerve.Grains.Webhooks;

namespace Pixerve.Grains.Jobs;

/// <summary>What a job needs to call back: the sender and its retry policy.</summary>
public sealed class JobWebhooks(WebhookSender sender, IOptions<WebhookOptions> options)
{
    public WebhookSender Sender { get; } = sender;
    public WebhookOptions Options => options.Value;
}
