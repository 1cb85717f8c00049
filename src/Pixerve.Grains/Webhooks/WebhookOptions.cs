using System.ComponentModel.DataAnnotations;
using Pixerve.ServiceDefaults;

namespace Pixerve.Grains.Webhooks;

/// <summary>Bound from <c>Pixerve:Webhooks</c>.</summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Pixerve:Webhooks";
    public const int MinimumSecretBytes = 32;

    /// <summary>
    /// The webhooks' own signing key (<c>PIXERVE_WEBHOOK_SECRET</c>), never the JWT secret: its UTF-8 bytes, or the
    /// base64 after <c>whsec_</c> in Standard Webhooks' own form. Required, at least 32 bytes.
    /// </summary>
    public string Secret { get; set; } = "";

    public byte[] Key => StandardWebhookSignature.KeyOf(Secret);

    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Delay before the second attempt; each further one doubles it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Lets callbacks reach loopback, private and link-local addresses (off: a token must not aim the server at its own network).</summary>
    public bool AllowPrivateNetworks { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        byte[] key;
        try
        {
            key = Key;
        }
        catch (FormatException)
        {
            key = [];
        }

        if (key.Length < MinimumSecretBytes)
            yield return new ValidationResult(
                $"must be set (PIXERVE_WEBHOOK_SECRET) to at least {MinimumSecretBytes} bytes, or whsec_ and their base64", [nameof(Secret)]);
        else if (!Secret.StartsWith("whsec_", StringComparison.Ordinal) && SecretRules.Problem(Secret) is { } problem)
            yield return new ValidationResult($"(PIXERVE_WEBHOOK_SECRET) {problem}", [nameof(Secret)]);
    }

    public TimeSpan DelayAfter(int attempts) =>
        TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, FirstRetryDelay.Ticks * (1L << Math.Min(attempts - 1, 30))));
}
