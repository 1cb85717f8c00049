using System.ComponentModel.DataAnnotations;

namespace Pixerve.Grains.Webhooks;

/// <summary>Bound from <c>Pixerve:Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Pixerve:Webhooks";
    public const string SignatureHeader = "X-Pixerve-Signature";

    /// <summary>HMAC-SHA256 key for the signature header; defaults to the JWT secret, which the client already holds.</summary>
    public string Secret { get; set; } = "";

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

    public TimeSpan DelayAfter(int attempts) =>
        TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, FirstRetryDelay.Ticks * (1L << Math.Min(attempts - 1, 30))));
}
